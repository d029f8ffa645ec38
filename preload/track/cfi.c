/*
 * cfi.c - the unwind rule at a return address, read from its module's
 * .eh_frame: where the caller's return address lies.
 *
 * Most x86_64 call sites, in code built without frame pointers, have the
 * rule "CFA = RSP + k, return address at CFA - 8": the caller's return
 * address is then k bytes above the slot that held this one, whatever the
 * call path. cfi_rule() finds the frame description entry of a return
 * address through _dl_find_object() (glibc 2.35 and later: lock-free, no
 * allocation, no loader lock) and the binary search table of
 * .eh_frame_hdr, runs the CIE's and the FDE's call frame instructions up to
 * the call instruction (ra - 1, as unwinders do for a return address) and
 * tells that rule from everything else. Anything unusual is CFI_OTHER, for
 * libunwind to handle: a CFA from RBP (frame pointers, alloca, DRAP) or
 * from an expression, a return address saved anywhere but CFA - 8, a signal
 * frame ('S'), 64-bit DWARF, an encoding we do not read, an instruction we
 * do not know, code without CFI (JIT code) or outside every module.
 *
 * Who calls it: stackcache.c, once per return address (it caches the
 * answer). Reads only the program's mapped .eh_frame_hdr and .eh_frame; no
 * allocation, no lock, no system call; async-signal-safe as far as
 * _dl_find_object() is. Not for allocations made while the loader may be
 * changing its object list (the caller keeps those away).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "track/cfi.h"

/* Weak: a glibc older than 2.35 has none, and every rule is CFI_OTHER. */
extern int _dl_find_object(void *address, struct dl_find_object *result) __attribute__((weak));

#define REG_RSP       7
#define REG_RA        16
#define REMEMBER_MAX  8
#define DW_EH_PE_omit 0xff

enum ra_rule {
	RA_SAME, /* no rule yet: what the CIE gives */
	RA_OFFSET,
	RA_UNDEFINED,
	RA_OTHER
};

struct row {
	int cfa_reg;     /* DWARF register number; -1 until defined */
	int64_t cfa_off; /* bytes */
	bool cfa_expr;   /* DW_CFA_def_cfa_expression */
	enum ra_rule ra; /* the return address column's rule */
	int64_t ra_off;  /* RA_OFFSET: saved at CFA + ra_off */
};

/* A cursor over CFI bytes; `bad` is sticky: past the end or unknown. */
struct rd {
	const uint8_t *p;
	const uint8_t *end;
	bool bad;
};

static uint8_t
rd_u8(struct rd *r)
{
	if (r->p >= r->end) {
		r->bad = true;
		return 0;
	}
	return *r->p++;
}

static uint64_t
rd_uleb(struct rd *r)
{
	uint64_t v = 0;
	unsigned shift = 0;

	for (;;) {
		uint8_t b = rd_u8(r);

		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80) || r->bad)
			return v;
	}
}

static int64_t
rd_sleb(struct rd *r)
{
	int64_t v = 0;
	unsigned shift = 0;
	uint8_t b;

	do {
		b = rd_u8(r);
		if (shift < 64)
			v |= (int64_t)((uint64_t)(b & 0x7f) << shift);
		shift += 7;
	} while ((b & 0x80) && !r->bad);
	if (shift < 64 && (b & 0x40))
		v |= -((int64_t)1 << shift);
	return v;
}

static uint64_t
rd_fixed(struct rd *r, unsigned n)
{
	uint64_t v = 0;

	if ((size_t)(r->end - r->p) < n) {
		r->bad = true;
		return 0;
	}
	memcpy(&v, r->p, n); /* x86_64: little-endian, like the CFI */
	r->p += n;
	return v;
}

/* An encoded pointer (DW_EH_PE_*): absolute or pc-relative, of the usual
 * sizes; anything else (datarel, textrel, indirect, aligned) marks r bad. */
static uint64_t
rd_encoded(struct rd *r, uint8_t enc)
{
	const uint8_t *at = r->p;
	uint64_t v;

	if (enc == DW_EH_PE_omit)
		return 0;
	switch (enc & 0x0f) {
	case 0x00:
		v = rd_fixed(r, 8);
		break; /* absptr */
	case 0x01:
		v = rd_uleb(r);
		break; /* uleb128 */
	case 0x02:
		v = rd_fixed(r, 2);
		break; /* udata2 */
	case 0x03:
		v = rd_fixed(r, 4);
		break; /* udata4 */
	case 0x04:
		v = rd_fixed(r, 8);
		break; /* udata8 */
	case 0x09:
		v = (uint64_t)rd_sleb(r);
		break; /* sleb128 */
	case 0x0a:
		v = (uint64_t)(int64_t)(int16_t)rd_fixed(r, 2);
		break; /* sdata2 */
	case 0x0b:
		v = (uint64_t)(int64_t)(int32_t)rd_fixed(r, 4);
		break; /* sdata4 */
	case 0x0c:
		v = rd_fixed(r, 8);
		break; /* sdata8 */
	default:
		r->bad = true;
		return 0;
	}
	switch (enc & 0x70) {
	case 0x00:
		return v;
	case 0x10:
		return v + (uint64_t)(uintptr_t)at; /* pcrel */
	default:
		r->bad = true;
		return 0;
	}
}

/* Skips the operand of DW_CFA_expression-like instructions: a block. */
static void
rd_skip_block(struct rd *r)
{
	uint64_t len = rd_uleb(r);

	if (len > (uint64_t)(r->end - r->p))
		r->bad = true;
	else
		r->p += len;
}

/* A register rule for reg: only the return address column is kept. */
static void
set_reg(struct row *row, uint64_t reg, enum ra_rule rule, int64_t off)
{
	if (reg != REG_RA)
		return;
	row->ra = rule;
	row->ra_off = off;
}

/*
 * Runs the instructions in r from location loc while loc <= target (or all
 * of them when target is 0: the CIE's initial ones). init is the CIE's row,
 * for DW_CFA_restore. False on anything unknown.
 */
static bool
run(struct rd *r, struct row *row, const struct row *init, uint64_t loc, uint64_t target,
    uint64_t code_align, int64_t data_align)
{
	struct row saved[REMEMBER_MAX];
	int nsaved = 0;

	while (r->p < r->end && !r->bad) {
		uint8_t op = rd_u8(r);
		uint64_t reg, delta = 0;

		switch (op & 0xc0) {
		case 0x40: /* DW_CFA_advance_loc */
			delta = (op & 0x3f) * code_align;
			goto advance;
		case 0x80: /* DW_CFA_offset */
			set_reg(row, op & 0x3f, RA_OFFSET, (int64_t)rd_uleb(r) * data_align);
			continue;
		case 0xc0: /* DW_CFA_restore */
			if ((op & 0x3f) == REG_RA && init != NULL)
				set_reg(row, REG_RA, init->ra, init->ra_off);
			continue;
		}
		switch (op) {
		case 0x00: /* nop */
			continue;
		case 0x02:
			delta = rd_fixed(r, 1) * code_align;
			goto advance;
		case 0x03:
			delta = rd_fixed(r, 2) * code_align;
			goto advance;
		case 0x04:
			delta = rd_fixed(r, 4) * code_align;
			goto advance;
		case 0x05: /* offset_extended */
			reg = rd_uleb(r);
			set_reg(row, reg, RA_OFFSET, (int64_t)rd_uleb(r) * data_align);
			continue;
		case 0x06: /* restore_extended */
			reg = rd_uleb(r);
			if (reg == REG_RA && init != NULL)
				set_reg(row, REG_RA, init->ra, init->ra_off);
			continue;
		case 0x07: /* undefined */
			set_reg(row, rd_uleb(r), RA_UNDEFINED, 0);
			continue;
		case 0x08: /* same_value */
			set_reg(row, rd_uleb(r), RA_OTHER, 0);
			continue;
		case 0x09: /* register */
			reg = rd_uleb(r);
			(void)rd_uleb(r);
			set_reg(row, reg, RA_OTHER, 0);
			continue;
		case 0x0a: /* remember_state */
			if (nsaved == REMEMBER_MAX)
				return false;
			saved[nsaved++] = *row;
			continue;
		case 0x0b: /* restore_state */
			if (nsaved == 0)
				return false;
			*row = saved[--nsaved];
			continue;
		case 0x0c: /* def_cfa */
			row->cfa_reg = (int)rd_uleb(r);
			row->cfa_off = (int64_t)rd_uleb(r);
			row->cfa_expr = false;
			continue;
		case 0x0d: /* def_cfa_register */
			row->cfa_reg = (int)rd_uleb(r);
			row->cfa_expr = false;
			continue;
		case 0x0e: /* def_cfa_offset */
			row->cfa_off = (int64_t)rd_uleb(r);
			continue;
		case 0x0f: /* def_cfa_expression */
			rd_skip_block(r);
			row->cfa_expr = true;
			continue;
		case 0x10: /* expression */
			reg = rd_uleb(r);
			rd_skip_block(r);
			set_reg(row, reg, RA_OTHER, 0);
			continue;
		case 0x11: /* offset_extended_sf */
			reg = rd_uleb(r);
			set_reg(row, reg, RA_OFFSET, rd_sleb(r) * data_align);
			continue;
		case 0x12: /* def_cfa_sf */
			row->cfa_reg = (int)rd_uleb(r);
			row->cfa_off = rd_sleb(r) * data_align;
			row->cfa_expr = false;
			continue;
		case 0x13: /* def_cfa_offset_sf */
			row->cfa_off = rd_sleb(r) * data_align;
			continue;
		case 0x14: /* val_offset */
			reg = rd_uleb(r);
			(void)rd_uleb(r);
			set_reg(row, reg, RA_OTHER, 0);
			continue;
		case 0x15: /* val_offset_sf */
			reg = rd_uleb(r);
			(void)rd_sleb(r);
			set_reg(row, reg, RA_OTHER, 0);
			continue;
		case 0x16: /* val_expression */
			reg = rd_uleb(r);
			rd_skip_block(r);
			set_reg(row, reg, RA_OTHER, 0);
			continue;
		case 0x2e: /* GNU_args_size: for landing pads, not the CFA */
			(void)rd_uleb(r);
			continue;
		case 0x2f: /* GNU_negative_offset_extended */
			reg = rd_uleb(r);
			set_reg(row, reg, RA_OFFSET, -(int64_t)rd_uleb(r) * data_align);
			continue;
		default:
			return false; /* set_loc, window_save, vendor ops: not ours */
		}
	advance:
		if (target == 0)
			return false; /* a CIE advancing: not something we read */
		loc += delta;
		if (loc > target)
			return !r->bad;
	}
	return !r->bad;
}

/* The FDE covering pc in the module whose .eh_frame_hdr is hdr, or NULL. */
static const uint8_t *
fde_find(const uint8_t *hdr, uintptr_t pc)
{
	struct rd r = { hdr, hdr + 12, false };

	if (rd_u8(&r) != 1)
		return NULL; /* version */
	uint8_t ptr_enc = rd_u8(&r), count_enc = rd_u8(&r), table_enc = rd_u8(&r);

	/* The usual, and the only one we read: a table of (pc, fde) pairs,
	 * both 4-byte signed offsets from hdr. */
	if (table_enc != 0x3b || count_enc == DW_EH_PE_omit)
		return NULL;
	r.end = hdr + 4 + 16;
	(void)rd_encoded(&r, ptr_enc);
	uint64_t count = rd_encoded(&r, count_enc);
	if (r.bad || count == 0)
		return NULL;
	const int32_t *tab = (const int32_t *)r.p;
	int64_t want = (int64_t)(pc - (uintptr_t)hdr);
	uint64_t lo = 0, hi = count;

	/* The last entry whose initial location is <= pc. */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (tab[2 * mid] <= want)
			lo = mid;
		else
			hi = mid;
	}
	if (tab[2 * lo] > want)
		return NULL;
	return hdr + tab[2 * lo + 1];
}

int
cfi_rule(uintptr_t ra, int32_t *off)
{
	struct dl_find_object fo;
	uintptr_t pc = ra - 1; /* the call instruction's last byte */

	if (_dl_find_object == NULL || _dl_find_object((void *)pc, &fo) != 0 ||
	    fo.dlfo_eh_frame == NULL)
		return CFI_OTHER;
	const uint8_t *fde = fde_find(fo.dlfo_eh_frame, pc);
	if (fde == NULL)
		return CFI_OTHER;

	/* The FDE: length, CIE pointer (back from its own field), then the
	 * rest as the CIE's augmentation says. */
	uint32_t flen, cie_ptr, clen;
	memcpy(&flen, fde, 4);
	if (flen == 0 || flen >= 0xfffffff0u)
		return CFI_OTHER; /* a terminator, or 64-bit DWARF */
	memcpy(&cie_ptr, fde + 4, 4);
	if (cie_ptr == 0)
		return CFI_OTHER; /* a CIE, not an FDE */
	const uint8_t *cie = fde + 4 - cie_ptr;
	memcpy(&clen, cie, 4);
	if (clen == 0 || clen >= 0xfffffff0u)
		return CFI_OTHER;

	struct rd c = { cie + 8, cie + 4 + clen, false };
	uint32_t cie_id;
	memcpy(&cie_id, cie + 4, 4);
	uint8_t version = rd_u8(&c);
	if (cie_id != 0 || (version != 1 && version != 3))
		return CFI_OTHER;
	const char *aug = (const char *)c.p;
	size_t alen = strnlen(aug, (size_t)(c.end - c.p));
	c.p += alen + 1;
	uint64_t code_align = rd_uleb(&c);
	int64_t data_align = rd_sleb(&c);
	uint64_t ra_reg = version == 1 ? rd_u8(&c) : rd_uleb(&c);
	uint8_t fde_enc = 0; /* absptr */
	bool z = aug[0] == 'z';

	if (ra_reg != REG_RA || c.bad)
		return CFI_OTHER;
	if (z) {
		uint64_t zlen = rd_uleb(&c);
		const uint8_t *zend = c.p + zlen;

		for (size_t i = 1; i < alen && !c.bad; i++) {
			switch (aug[i]) {
			case 'R':
				fde_enc = rd_u8(&c);
				break;
			case 'L':
				(void)rd_u8(&c);
				break;
			case 'P': {
				uint8_t penc = rd_u8(&c);

				/* The personality routine's address: skipped, but
				 * read (its size depends on the encoding). */
				if ((penc & 0x70) != 0x00 && (penc & 0x70) != 0x10) {
					c.bad = true;
					break;
				}
				(void)rd_encoded(&c, penc & 0x7f);
				break;
			}
			default:
				return CFI_OTHER; /* 'S' (a signal frame), 'B', ... */
			}
		}
		if (c.bad || zend > c.end)
			return CFI_OTHER;
		c.p = zend;
	} else if (alen != 0) {
		return CFI_OTHER; /* "eh" or another old augmentation */
	}

	struct row row = { .cfa_reg = -1, .ra = RA_SAME };
	if (!run(&c, &row, NULL, 0, 0, code_align, data_align))
		return CFI_OTHER;
	struct row init = row;

	struct rd f = { fde + 8, fde + 4 + flen, false };
	uint64_t begin = rd_encoded(&f, fde_enc);
	uint64_t range = rd_encoded(&f, fde_enc & 0x0f);
	if (f.bad || pc < begin || pc - begin >= range)
		return CFI_OTHER; /* the nearest FDE does not cover pc */
	if (z) {
		uint64_t zlen = rd_uleb(&f);

		if (f.bad || zlen > (uint64_t)(f.end - f.p))
			return CFI_OTHER;
		f.p += zlen;
	}
	if (!run(&f, &row, &init, begin, pc, code_align, data_align))
		return CFI_OTHER;

	if (row.ra == RA_UNDEFINED)
		return CFI_END;
	if (row.cfa_expr || row.cfa_reg != REG_RSP || row.ra != RA_OFFSET || row.ra_off != -8 ||
	    row.cfa_off < 8 || row.cfa_off > (1 << 20) || (row.cfa_off & 7) != 0)
		return CFI_OTHER;
	*off = (int32_t)row.cfa_off;
	return CFI_SP;
}
