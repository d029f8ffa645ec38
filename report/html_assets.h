/*
 * html_assets.h - the html page's style and script, report/html/report.css
 * and report/html/report.js, as C strings. The Makefile generates their
 * definitions ($(B)/report/html_assets.c) from those files, so they stay
 * real files that editors and linters read; the page embeds them whole.
 */
#ifndef LEAKREPORT_HTML_ASSETS_H
#define LEAKREPORT_HTML_ASSETS_H

extern const char html_css[]; /* report/html/report.css */
extern const char html_js[];  /* report/html/report.js */

#endif /* LEAKREPORT_HTML_ASSETS_H */
