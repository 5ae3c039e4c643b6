/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Test helper: a PA_T_FRAME value with its three children (file,
 * function, line table), built by hand as record__decode() gives it.
 */
#ifndef PA_TEST_FRAMEBUILD_H
#define PA_TEST_FRAMEBUILD_H

#include <stdint.h>
#include <string.h>
#include "user/record.h"

/* A frame value with its three children, built by hand. */
struct frame {
	struct pa_frame fr;
	struct rec_value v, kids[3];
};

static inline void make_frame(struct frame *f, int32_t offset, int32_t first,
		       const uint8_t *table, uint16_t len, uint8_t table_flags)
{
	memset(f, 0, sizeof(*f));
	f->fr.offset = offset;
	f->fr.firstlineno = first;
	f->fr.table_len = len;
	f->v.tag = PA_T_FRAME;
	f->v.len = sizeof(f->fr);
	f->v.data = (const uint8_t *)&f->fr;
	f->v.nchildren = 3;
	f->v.children = f->kids;
	f->kids[0].tag = PA_T_STR_UTF8;
	f->kids[0].data = (const uint8_t *)"/app/x.py";
	f->kids[0].len = 9;
	f->kids[1].tag = PA_T_STR_UTF8;
	f->kids[1].data = (const uint8_t *)"f";
	f->kids[1].len = 1;
	f->kids[2].tag = PA_T_BYTES;
	f->kids[2].data = table;
	f->kids[2].len = len;
	f->kids[2].flags = table_flags;
}

#endif
