// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Decoding of ring-buffer records into a tree of struct rec_value.
 *
 * Nothing in a record is trusted. A record is accepted only when:
 *  - it is at least a struct pa_event, of type PA_REC_EVENT, from a known
 *    enum pa_source, and sizeof(struct pa_event) <= hdr.size <= the size
 *    handed to us and <= PA_REC_MAX;
 *  - the value stream is exactly one name value (a str kind or
 *    PA_T_UNREADABLE), hdr.nframes PA_T_FRAME values (each followed by
 *    exactly its three children: file, function, line table, or none
 *    when it refers to a code object described before, PA_FR_CODE_REF:
 *    see codecache.h; frames only
 *    there, at most PA_FRAMES_MAX, and only with frame_status PA_FS_OK)
 *    and hdr.nargs argument values (the frames after the arguments with
 *    PA_EV_FRAMES_LAST), and it ends exactly at hdr.size (no bytes left
 *    over);
 *  - every value header and payload lies inside hdr.size, every tag is
 *    known and its payload has the size its tag requires (fixed 0/4/8
 *    bytes, a whole number of code units, PA_T_PYLONG: a count then at
 *    most PA_INT_DIGITS_MAX digits, each below 2**30);
 *  - every tuple/list is closed by its PA_T_END, PA_T_CODE is followed by
 *    exactly two values (not END), PA_T_SUBCLASS by exactly one value of
 *    a kind that has subclasses (a str kind of a Python str, bytes,
 *    PYLONG, FLOAT, tuple, list) or UNREADABLE; containers, code and
 *    subclasses nest at most
 *    RECORD_DEPTH_MAX deep (a top-level value is at depth 0), and the
 *    tree fits in ev->values.
 *
 * The children of one container (and the top-level arguments) must sit
 * contiguously in ev->values. Each container is handled in two passes:
 * the first one validates and counts its children without storing
 * anything, then that many slots are reserved and the second pass fills
 * them (recursively doing the same for nested containers). A value at
 * depth d is thus walked at most d + 2 times: cheap for depth <= 8.
 */
#include <errno.h>
#include <string.h>
#include "record.h"

struct dctx {
	const uint8_t *p;	/* start of the record */
	size_t off;		/* next byte to read */
	size_t end;		/* hdr.size */
	struct rec_event *ev;
	bool frames;		/* PA_T_FRAME allowed (top level, after the name) */
};

static struct rec_value *reserve(struct dctx *c, size_t n)
{
	struct rec_event *ev = c->ev;
	struct rec_value *v;

	if (n > RECORD_VALUES_MAX - ev->nvalues)
		return NULL;
	v = &ev->values[ev->nvalues];
	ev->nvalues += n;
	return v;
}

/* Read one value header; its payload must fit in what is left. */
static int read_hdr(struct dctx *c, struct pa_value *h)
{
	if (c->end - c->off < sizeof(*h))
		return -EINVAL;
	memcpy(h, c->p + c->off, sizeof(*h));
	c->off += sizeof(*h);
	if (h->len > c->end - c->off)
		return -EINVAL;
	return 0;
}

/*
 * The children of a PA_T_FRAME of payload len at data: 3 (file,
 * function, line table), 0 for a reference to a code object described
 * before (PA_FR_CODE_REF), -1 for a payload that is neither a struct
 * pa_frame nor, with the code object's address, a struct pa_frame_code.
 */
static int frame_children(uint16_t len, const uint8_t *data)
{
	struct pa_frame fr;

	if (len != sizeof(struct pa_frame) && len != sizeof(struct pa_frame_code))
		return -1;
	memcpy(&fr, data, sizeof(fr));
	if (!(fr.flags & (PA_FR_CODE_NEW | PA_FR_CODE_REF)))
		return 3;
	if (len != sizeof(struct pa_frame_code) ||
	    (fr.flags & PA_FR_CODE_NEW && fr.flags & PA_FR_CODE_REF))
		return -1;
	return fr.flags & PA_FR_CODE_REF ? 0 : 3;
}

/* Payload size (and content, for PYLONG) as the tag requires. */
static int check_payload(uint8_t tag, uint16_t len, const uint8_t *data)
{
	uint32_t i, n;

	switch (tag) {
	case PA_T_NONE:
	case PA_T_TRUE:
	case PA_T_FALSE:
	case PA_T_END:
	case PA_T_CODE:
	case PA_T_UNREADABLE:
		return len == 0 ? 0 : -EINVAL;
	case PA_T_INT:
	case PA_T_UINT:
	case PA_T_FLOAT:
		return len == 8 ? 0 : -EINVAL;
	case PA_T_TUPLE:
	case PA_T_LIST:
		return len == 4 ? 0 : -EINVAL;
	case PA_T_FRAME:
		return frame_children(len, data) < 0 ? -EINVAL : 0;
	case PA_T_PYLONG:
		if (len < 4 || (len - 4) % 4)
			return -EINVAL;
		n = (len - 4) / 4;
		if (n > PA_INT_DIGITS_MAX)
			return -EINVAL;
		for (i = 0; i < n; i++)
			if (get_u32(data + 4 + 4 * i) >= (1u << 30))
				return -EINVAL;
		return 0;
	case PA_T_STR_UTF8:
	case PA_T_STR_UCS1:
	case PA_T_BYTES:
	case PA_T_OBJECT:
	case PA_T_SUBCLASS:
		return 0;
	case PA_T_STR_UCS2:
		return len % 2 ? -EINVAL : 0;
	case PA_T_STR_UCS4:
		return len % 4 ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

/* Is the next value an END? Consumes it if so. */
static int take_end(struct dctx *c, bool *is_end)
{
	size_t save = c->off;
	struct pa_value h;
	int err;

	err = read_hdr(c, &h);
	if (err)
		return err;
	if (h.tag == PA_T_END) {
		*is_end = true;
		return h.len == 0 ? 0 : -EINVAL;
	}
	*is_end = false;
	c->off = save;
	return 0;
}

/* The tags a PA_T_SUBCLASS may wrap: the kinds BPF gives a type name
 * (a str object is never PA_T_STR_UTF8, which comes from a C char *). */
static bool subclass_child_ok(uint8_t tag)
{
	switch (tag) {
	case PA_T_STR_UCS1:
	case PA_T_STR_UCS2:
	case PA_T_STR_UCS4:
	case PA_T_BYTES:
	case PA_T_PYLONG:
	case PA_T_FLOAT:
	case PA_T_TUPLE:
	case PA_T_LIST:
	case PA_T_UNREADABLE:
		return true;
	default:
		return false;
	}
}

/* The tag of the next value, not consumed. */
static int peek_tag(struct dctx *c, uint8_t *tag)
{
	size_t save = c->off;
	struct pa_value h;
	int err;

	err = read_hdr(c, &h);
	c->off = save;
	if (!err)
		*tag = h.tag;
	return err;
}

static int walk(struct dctx *c, int depth, struct rec_value *out);

/* The one child of a PA_T_SUBCLASS: the value as its base type. */
static int walk_subclass(struct dctx *c, int depth, struct rec_value *out)
{
	struct rec_value *kid = NULL;
	uint8_t tag;
	int err;

	if (depth >= RECORD_DEPTH_MAX)
		return -EINVAL;
	err = peek_tag(c, &tag);
	if (err)
		return err;
	if (!subclass_child_ok(tag))
		return -EINVAL;
	if (out) {
		kid = reserve(c, 1);
		if (!kid)
			return -EINVAL;
		out->nchildren = 1;
		out->children = kid;
	}
	return walk(c, depth + 1, kid);
}

/*
 * Decode one value (not an END) and its children. With out == NULL the
 * value is only validated and skipped.
 */
static int walk(struct dctx *c, int depth, struct rec_value *out)
{
	struct rec_value *kids = NULL;
	const uint8_t *data;
	struct pa_value h;
	uint32_t i, n;
	size_t first;
	bool end;
	int err;

	err = read_hdr(c, &h);
	if (err)
		return err;
	data = c->p + c->off;
	if (h.tag == PA_T_END || (h.tag == PA_T_FRAME && (!c->frames || depth)))
		return -EINVAL;
	err = check_payload(h.tag, h.len, data);
	if (err)
		return err;
	c->off += h.len;

	if (out) {
		out->tag = h.tag;
		out->flags = h.flags;
		out->len = h.len;
		out->data = data;
		out->real_len = 0;
		out->nchildren = 0;
		out->children = NULL;
	}

	switch (h.tag) {
	case PA_T_TUPLE:
	case PA_T_LIST:
		if (depth >= RECORD_DEPTH_MAX)
			return -EINVAL;
		/* Pass 1: validate and count the children. */
		first = c->off;
		for (n = 0;; n++) {
			err = take_end(c, &end);
			if (err)
				return err;
			if (end)
				break;
			err = walk(c, depth + 1, NULL);
			if (err)
				return err;
		}
		if (!out)
			return 0;
		/* Pass 2: store them, contiguously. */
		if (n) {
			kids = reserve(c, n);
			if (!kids)
				return -EINVAL;
		}
		c->off = first;
		for (i = 0; i < n; i++) {
			err = walk(c, depth + 1, &kids[i]);
			if (err)
				return err;
		}
		err = take_end(c, &end);
		if (err || !end)	/* cannot happen after pass 1 */
			return -EINVAL;
		out->real_len = get_u32(data);
		out->nchildren = n;
		out->children = kids;
		return 0;
	case PA_T_CODE:
	case PA_T_FRAME:
		/* code: file, name; frame: file, function, line table,
		 * none for a reference (the consumer's codecache has them) */
		n = h.tag == PA_T_CODE ? 2 : frame_children(h.len, data);
		if (depth >= RECORD_DEPTH_MAX)
			return -EINVAL;
		if (out && n) {
			kids = reserve(c, n);
			if (!kids)
				return -EINVAL;
			out->nchildren = n;
			out->children = kids;
		}
		for (i = 0; i < n; i++) {
			err = walk(c, depth + 1, kids ? &kids[i] : NULL);
			if (err)
				return err;
		}
		return 0;
	case PA_T_SUBCLASS:
		return walk_subclass(c, depth, out);
	default:
		return 0;
	}
}

static bool name_tag_ok(uint8_t tag)
{
	switch (tag) {
	case PA_T_STR_UTF8:
	case PA_T_STR_UCS1:
	case PA_T_STR_UCS2:
	case PA_T_STR_UCS4:
	case PA_T_UNREADABLE:
		return true;
	default:
		return false;
	}
}

static int walk_frames(struct dctx *c, struct rec_event *ev)
{
	int err;

	if (ev->hdr.nframes) {
		ev->frames = reserve(c, ev->hdr.nframes);
		if (!ev->frames)
			return -EINVAL;
	}
	for (uint32_t i = 0; i < ev->hdr.nframes; i++) {
		c->frames = true;
		err = walk(c, 0, &ev->frames[i]);
		c->frames = false;
		if (err)
			return err;
		if (ev->frames[i].tag != PA_T_FRAME)
			return -EINVAL;
	}
	ev->nframes = ev->hdr.nframes;
	return 0;
}

int record__decode(const void *data, size_t size, struct rec_event *ev)
{
	struct dctx c;
	uint32_t i;
	int err;

	if (!data || !ev || size < sizeof(ev->hdr))
		return -EINVAL;
	memcpy(&ev->hdr, data, sizeof(ev->hdr));
	if (ev->hdr.type != PA_REC_EVENT)
		return -EINVAL;
	if (ev->hdr.size < sizeof(ev->hdr) || ev->hdr.size > size ||
	    ev->hdr.size > PA_REC_MAX)
		return -EINVAL;
	if (ev->hdr.source < PA_SRC_USDT || ev->hdr.source > PA_SRC_VARARGS_TS)
		return -EINVAL;

	if (ev->hdr.nframes > PA_FRAMES_MAX ||
	    (ev->hdr.nframes > 0) != (ev->hdr.frame_status == PA_FS_OK) ||
	    ev->hdr.frame_status > PA_FS_UNSUPPORTED)
		return -EINVAL;

	ev->nvalues = 0;
	ev->nargs = 0;
	ev->args = NULL;
	ev->nframes = 0;
	ev->frames = NULL;
	memset(&ev->name, 0, sizeof(ev->name));

	c.p = data;
	c.off = sizeof(ev->hdr);
	c.end = ev->hdr.size;
	c.ev = ev;
	c.frames = false;

	err = walk(&c, 0, &ev->name);
	if (err)
		return err;
	if (!name_tag_ok(ev->name.tag))
		return -EINVAL;

	/* The frames come after the name, or after the arguments when
	 * argument conditions were checked first (PA_EV_FRAMES_LAST). */
	if (!(ev->hdr.flags & PA_EV_FRAMES_LAST)) {
		err = walk_frames(&c, ev);
		if (err)
			return err;
	}
	if (ev->hdr.nargs) {
		ev->args = reserve(&c, ev->hdr.nargs);
		if (!ev->args)
			return -EINVAL;
	}
	for (i = 0; i < ev->hdr.nargs; i++) {
		err = walk(&c, 0, &ev->args[i]);
		if (err)
			return err;
	}
	if (ev->hdr.flags & PA_EV_FRAMES_LAST) {
		err = walk_frames(&c, ev);
		if (err)
			return err;
	}
	if (c.off != c.end)
		return -EINVAL;
	ev->nargs = ev->hdr.nargs;
	return 0;
}

const char *record__name_ascii(const struct rec_value *v, char *buf, size_t size)
{
	size_t n;

	if (!size || (v->tag != PA_T_STR_UTF8 && v->tag != PA_T_STR_UCS1))
		return NULL;
	n = v->len < size - 1 ? v->len : size - 1;
	for (size_t i = 0; i < n; i++) {
		if (!v->data[i] || v->data[i] >= 0x80)
			return NULL;
		buf[i] = v->data[i];
	}
	buf[n] = 0;
	return buf;
}
