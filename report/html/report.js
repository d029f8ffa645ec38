/* report.js - the interactive parts of leakreport's html page: the flame
 * graph, the sortable table and the heap timeline. output_html.c embeds it
 * at build time. The page's summary and table are HTML already; this only
 * enhances them, so the page reads the same with scripts off.
 *
 * Data: the JSON block #lk-data that output_html.c writes:
 *   frames   [[name, "file:line", module, own], ...]  own 1: the program's code
 *   records  [{k: kind index, b: bytes, n: blocks, s: [frame index, root first]}]
 *   other    {b, n, records}: the listed records folded for size, or null
 *   kinds    the kind names, by index
 *   timeline {labels, t (s), live, rss, series: [{name, b: [...]}]} or null
 * The page state can be set by the URL fragment, e.g.
 *   #kind=all&weight=blocks&search=make_&zoom=list_leak&sort=blocks
 * (sort=KEY sorts the records table by that column, largest first;
 * sort=-KEY smallest first)
 * (the browser test uses it), and follows its changes. */
(function () {
	"use strict";
	var ROW = 18;       /* px per flame graph level */
	var MIN_PCT = 0.05; /* boxes narrower than this (% of the view) are not drawn */
	var data;
	var state = { kind: "leaks", weight: "bytes", search: "", zoom: null };
	var tree = null;
	var drawn = []; /* the nodes of the boxes drawn, by their data-i */

	function $(id) { return document.getElementById(id); }

	function fmtBytes(n) {
		var u = ["bytes", "KiB", "MiB", "GiB", "TiB"], i = 0;
		while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
		return (i ? n.toFixed(1) : String(n)) + " " + u[i];
	}

	function kindOn(k) {
		var name = data.kinds[k];
		if (state.kind === "all") return true;
		if (state.kind === "reachable") return name === "reachable";
		return name !== "reachable";
	}

	/* The tree of the records of the chosen kinds: a node per frame below
	 * its caller, merged by frame (function and module). */
	function build() {
		var root = { f: -1, v: 0, b: 0, n: 0, kids: {}, list: [], parent: null, depth: 0 };
		data.records.forEach(function (r) {
			if (!kindOn(r.k)) return;
			var w = state.weight === "blocks" ? r.n : r.b;
			var node = root;
			root.v += w; root.b += r.b; root.n += r.n;
			r.s.forEach(function (fi) {
				var c = node.kids[fi];
				if (!c) {
					c = { f: fi, v: 0, b: 0, n: 0, kids: {}, list: [], parent: node,
						depth: node.depth + 1 };
					node.kids[fi] = c;
					node.list.push(c);
				}
				c.v += w; c.b += r.b; c.n += r.n;
				node = c;
			});
		});
		if (data.other && state.kind !== "reachable") {
			var w = state.weight === "blocks" ? data.other.n : data.other.b;
			var o = { f: -2, v: w, b: data.other.b, n: data.other.n, kids: {}, list: [],
				parent: root, depth: 1 };
			root.list.push(o);
			root.v += w; root.b += data.other.b; root.n += data.other.n;
		}
		(function sort(n) {
			n.list.sort(function (a, b) { return b.v - a.v; });
			n.list.forEach(sort);
		})(root);
		return root;
	}

	function frameOf(node) {
		if (node.f === -1) return ["all", "", "", 0];
		if (node.f === -2)
			return ["other (" + data.other.records + " small records)", "", "", 0];
		return data.frames[node.f];
	}

	function hash(s) {
		var h = 0;
		for (var i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
		return Math.abs(h);
	}

	/* Warm colours for the program's own code, cool ones for libraries,
	 * grey for "all" and "other"; the hue varies by module. */
	function colour(node) {
		var fr = frameOf(node);
		if (node.f < 0) return "hsl(0,0%,82%)";
		var h = hash(fr[2] || "?");
		if (fr[3]) return "hsl(" + (10 + h % 40) + ",85%," + (58 + h % 12) + "%)";
		return "hsl(" + (185 + h % 50) + ",55%," + (62 + h % 12) + "%)";
	}

	function matches(node) {
		if (!state.search || node.f < 0) return false;
		return frameOf(node)[0].toLowerCase().indexOf(state.search.toLowerCase()) >= 0;
	}

	function share(node) {
		return tree.v > 0 ? (100 * node.v / tree.v).toFixed(1) + "%" : "0%";
	}

	function tip(node) {
		var fr = frameOf(node), t = $("lk-tip");
		t.textContent = fr[0] + (fr[1] ? "  " + fr[1] : "") + (fr[2] ? "  (" + fr[2] + ")" : "") +
			"  \u2014  " + node.b + " bytes (" + fmtBytes(node.b) + "), " + node.n +
			" blocks, " + share(node) + " of " + state.weight;
	}

	function draw() {
		var box = $("lk-flame");
		if (!box) return;
		tree = build();
		var top = state.zoom || tree;
		var maxDepth = 0;
		var frag = document.createDocumentFragment();
		var hidden = 0, matched = 0;
		drawn = [];

		function add(node, left, width) {
			if (width < MIN_PCT) { hidden++; return; }
			var fr = frameOf(node);
			var d = document.createElement("div");
			d.className = "lk-box";
			d.style.left = left.toFixed(4) + "%";
			d.style.width = width.toFixed(4) + "%";
			d.style.bottom = (node.depth * ROW) + "px";
			d.style.background = colour(node);
			d.dataset.fn = fr[0];
			d.dataset.bytes = node.b;
			d.dataset.blocks = node.n;
			d.dataset.depth = node.depth;
			if (width >= 0.5) d.textContent = fr[0]; /* too narrow to read: the title tells */
			d.title = fr[0] + (fr[1] ? " " + fr[1] : "") + "\n" + node.b + " bytes, " + node.n +
				" blocks, " + share(node);
			if (matches(node)) { d.classList.add("lk-hl"); matched += node.v; }
			if (top !== tree && !isUnder(node, top)) d.classList.add("lk-dim");
			d.dataset.i = drawn.length;
			drawn.push(node);
			frag.appendChild(d);
			if (node.depth > maxDepth) maxDepth = node.depth;
			return d;
		}

		function isUnder(n, anc) {
			for (; n; n = n.parent) if (n === anc) return true;
			return false;
		}

		function walk(node, left, width) {
			if (!add(node, left, width)) return;
			var x = left;
			node.list.forEach(function (c) {
				var w = node.v > 0 ? width * c.v / node.v : 0;
				walk(c, x, w);
				x += w;
			});
		}

		/* zoomed: the ancestors full width below the zoomed node */
		for (var a = top.parent; a; a = a.parent) add(a, 0, 100);
		walk(top, 0, 100);
		box.textContent = "";
		box.style.height = ((maxDepth + 1) * ROW + 2) + "px";
		box.appendChild(frag);
		var info = $("lk-flame-info");
		info.textContent = (tree.v === 0 ? "No listed record of these kinds. " : "") +
			(state.search ? "matched: " + (tree.v ? (100 * matched / tree.v).toFixed(1) : 0) +
				"% of " + state.weight + ". " : "") +
			(hidden ? hidden + " boxes too narrow to draw. " : "") +
			(top !== tree ? "Zoomed on " + frameOf(top)[0] + ": click it or Reset to go back." : "");
	}

	/* The first node, widest first, whose function is name. */
	function find(name) {
		var queue = [tree];
		while (queue.length) {
			var n = queue.shift();
			if (n.f >= 0 && data.frames[n.f][0] === name) return n;
			queue = queue.concat(n.list);
		}
		return null;
	}

	function readHash() {
		var zoomName = null;
		location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
			var i = kv.indexOf("="), k, v;
			if (i < 0) return;
			k = kv.slice(0, i);
			v = decodeURIComponent(kv.slice(i + 1).replace(/\+/g, " "));
			if (k === "kind" && /^(leaks|reachable|all)$/.test(v)) state.kind = v;
			if (k === "weight" && /^(bytes|blocks)$/.test(v)) state.weight = v;
			if (k === "search") state.search = v;
			if (k === "zoom") zoomName = v;
			if (k === "sort" && $("lk-records")) {
				var th = $("lk-records").querySelector('th[data-sort="' + v.replace(/^-/, "") + '"]');
				if (th && /^-?[a-z]+$/.test(v)) sortBy($("lk-records"), th, v.charAt(0) !== "-");
			}
		});
		state.zoom = null;
		if ($("lk-kind")) $("lk-kind").value = state.kind;
		if ($("lk-weight")) $("lk-weight").value = state.weight;
		if ($("lk-search")) $("lk-search").value = state.search;
		draw();
		if (zoomName) {
			state.zoom = find(zoomName);
			draw();
		}
	}

	/* The node of the box an event is on, or null. */
	function boxNode(ev) {
		var el = ev.target.closest ? ev.target.closest(".lk-box") : null;
		return el ? drawn[Number(el.dataset.i)] : null;
	}

	function flameControls() {
		if (!$("lk-flame")) return;
		/* one listener each for every box: thousands of boxes stay cheap */
		$("lk-flame").addEventListener("mouseover", function (ev) {
			var node = boxNode(ev);
			if (node) tip(node);
		});
		$("lk-flame").addEventListener("click", function (ev) {
			var node = boxNode(ev);
			if (!node) return;
			state.zoom = node === tree || node === state.zoom ? null : node;
			draw();
		});
		$("lk-kind").addEventListener("change", function () {
			state.kind = this.value; state.zoom = null; draw();
		});
		$("lk-weight").addEventListener("change", function () {
			state.weight = this.value; state.zoom = null; draw();
		});
		$("lk-search").addEventListener("input", function () { state.search = this.value; draw(); });
		$("lk-reset").addEventListener("click", function () {
			state.zoom = null; state.search = ""; $("lk-search").value = ""; draw();
		});
		$("lk-flame-controls").hidden = false;
	}

	/* Sorting: a header with data-sort sorts the rows by that data-*
	 * attribute of theirs, numbers largest first, again to reverse. */
	function sortBy(table, th, desc) {
		var body = table.tBodies[0], key = th.dataset.sort;
		var rows = Array.prototype.slice.call(body.rows);
		rows.sort(function (a, b) {
			var x = a.dataset[key], y = b.dataset[key], nx = Number(x), ny = Number(y);
			var c = !isNaN(nx) && !isNaN(ny) ? nx - ny : String(x).localeCompare(y);
			return desc ? -c : c;
		});
		table.querySelectorAll("th").forEach(function (h) {
			h.classList.remove("lk-asc", "lk-desc");
		});
		th.classList.add(desc ? "lk-desc" : "lk-asc");
		rows.forEach(function (r) { body.appendChild(r); });
	}

	function sortable() {
		document.querySelectorAll("table.lk-sortable").forEach(function (table) {
			table.querySelectorAll("th[data-sort]").forEach(function (th) {
				th.addEventListener("click", function () {
					sortBy(table, th, !th.classList.contains("lk-desc"));
				});
			});
		});
	}

	var PALETTE = ["#d93025", "#1a73e8", "#188038", "#e37400", "#9334e6", "#007b83",
		"#b06000", "#c5221f", "#3c4043", "#a142f4"];

	function esc(s) {
		return String(s).replace(/[&<>"']/g, function (c) {
			return "&#" + c.charCodeAt(0) + ";";
		});
	}

	/* One line chart as inline SVG markup (no namespace URI is needed in
	 * HTML): series [{name, v: [...], colour}] over times t. */
	function chart(id, t, series, title) {
		var el = $(id);
		if (!el) return;
		var W = 1000, H = 260, L = 78, R = 12, T = 22, B = 34;
		var tmax = Math.max.apply(null, t.concat([1e-9])), vmax = 1;
		series.forEach(function (s) { s.v.forEach(function (v) { if (v > vmax) vmax = v; }); });
		function X(x) { return L + (W - L - R) * x / tmax; }
		function Y(y) { return T + (H - T - B) * (1 - y / vmax); }
		var out = ['<svg class="lk-chart" viewBox="0 0 ' + W + " " + H + '" role="img" aria-label="' +
			esc(title) + '">'];
		for (var g = 0; g <= 4; g++) {
			var gy = Y(vmax * g / 4);
			out.push('<line x1="' + L + '" x2="' + (W - R) + '" y1="' + gy + '" y2="' + gy +
				'" stroke="#e3e3e3"/><text x="' + (L - 6) + '" y="' + (gy + 4) +
				'" text-anchor="end">' + esc(fmtBytes(Math.round(vmax * g / 4))) + "</text>");
		}
		out.push('<text x="' + L + '" y="' + (H - 8) + '">0 s</text><text x="' + (W - R) + '" y="' +
			(H - 8) + '" text-anchor="end">' + esc(tmax.toFixed(3)) + " s</text>");
		out.push('<text x="' + L + '" y="14">' + esc(title) + "</text>");
		series.forEach(function (s, si) {
			var pts = s.v.map(function (v, i) { return X(t[i]).toFixed(1) + "," + Y(v).toFixed(1); });
			out.push('<polyline fill="none" stroke-width="2" stroke="' + s.colour + '" points="' +
				pts.join(" ") + '"/>');
			s.v.forEach(function (v, i) {
				out.push('<circle class="lk-pt" r="3" fill="' + s.colour + '" cx="' +
					X(t[i]).toFixed(1) + '" cy="' + Y(v).toFixed(1) + '" data-series="' + esc(s.name) +
					'" data-i="' + i + '" data-v="' + v + '"><title>' + esc(s.name + ": " + v +
					" bytes at " + data.timeline.labels[i] + " (" + t[i].toFixed(3) + " s)") +
					"</title></circle>");
			});
		});
		out.push("</svg>");
		var key = series.map(function (s) {
			return '<span style="background:' + s.colour + '"></span>' + esc(s.name);
		}).join("");
		el.innerHTML = out.join("") + '<div class="lk-series-key">' + key + "</div>";
	}

	function timeline() {
		var tl = data.timeline;
		if (!tl) return;
		chart("lk-heap-chart", tl.t, [
			{ name: "live heap bytes", v: tl.live, colour: PALETTE[1] },
			{ name: "RSS", v: tl.rss, colour: PALETTE[8] }
		], "Live heap and RSS");
		if (tl.series.length)
			chart("lk-growth-chart", tl.t, tl.series.map(function (s, i) {
				return { name: s.name, v: s.b, colour: PALETTE[i % PALETTE.length] };
			}), "Live bytes of the growing stacks");
	}

	document.addEventListener("DOMContentLoaded", function () {
		var el = $("lk-data");
		data = JSON.parse(el ? el.textContent : "{}");
		data.records = data.records || [];
		data.frames = data.frames || [];
		data.kinds = data.kinds || [];
		sortable();
		flameControls();
		timeline();
		readHash();
		window.addEventListener("hashchange", readHash);
		/* ms from the start of navigation until the page was drawn (make bench reads it) */
		document.body.dataset.readyMs = Math.round(performance.now());
	});
})();
