// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* --folded: stacks for flame graphs (folded.h). */
#include <string.h>
#include "escape.h"
#include "folded.h"
#include "values.h"

/* Bytes b gained from start on: each ';' becomes \x3b (text_chars
 * never writes a ';' of its own, only the source's). A buffer already
 * cut stays cut: its length only grows. */
static void semicolons(struct sb *b, size_t start)
{
	size_t n = 0, i, j;

	if (b->len + 1 > b->size)
		return;
	for (i = start; i < b->len; i++)
		n += b->p[i] == ';';
	if (!n)
		return;
	if (b->len + 3 * n + 1 > b->size) {
		b->len += 3 * n;
		return;
	}
	for (i = b->len, j = b->len + 3 * n; i-- > start;) {
		if (b->p[i] != ';') {
			b->p[--j] = b->p[i];
			continue;
		}
		j -= 4;
		memcpy(b->p + j, "\\x3b", 4);
	}
	b->len += 3 * n;
}

static void str_part(struct sb *b, const struct rec_value *s)
{
	size_t start = b->len;

	if (!is_str(s->tag)) {
		sb_putc(b, '?');
		return;
	}
	text_chars(b, s->data, s->len, s->tag, s->flags, '\'');
	if (s->flags & PA_VF_TRUNCATED)
		sb_puts(b, "...");
	semicolons(b, start);
}

void folded__frame(struct sb *b, const struct rec_value *f, int line)
{
	if (!f->children || f->nchildren < 2) {
		sb_puts(b, "? (?:?)");
		return;
	}
	str_part(b, &f->children[1]);
	sb_puts(b, " (");
	str_part(b, &f->children[0]);
	sb_putc(b, ':');
	if (line < 0)
		sb_putc(b, '?');
	else
		sb_i64(b, line);
	sb_putc(b, ')');
}

void folded__stack(struct sb *b, const struct event_view *v,
		   unsigned int frames_max)
{
	const struct rec_event *ev = v->ev;
	size_t start;
	uint32_t i;

	switch (ev->hdr.frame_status) {
	case PA_FS_OK:
		if (!ev->frames || !ev->nframes)
			break;
		if ((ev->hdr.flags & PA_EV_FRAMES_CUT) || ev->nframes >= frames_max)
			sb_puts(b, "[...];");
		for (i = ev->nframes; i-- > 0;) {
			folded__frame(b, &ev->frames[i], v->lines[i]);
			sb_putc(b, ';');
		}
		break;
	case PA_FS_NO_FRAME:
		sb_puts(b, "[no Python frame];");
		break;
	case PA_FS_UNREADABLE:
		sb_puts(b, "[frame unreadable];");
		break;
	case PA_FS_UNSUPPORTED:
		sb_puts(b, "[frames unsupported];");
		break;
	}
	start = b->len;
	name_text(b, &ev->name);
	semicolons(b, start);
}
