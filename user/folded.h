/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * --folded: an event's Python stack in the folded format that flame
 * graph tools read (Brendan Gregg's stackcollapse output, also py-spy's
 * and inferno's input): "frame;frame;...;leaf COUNT", the outermost
 * frame first, the event name as the leaf.
 */
#ifndef PA_FOLDED_H
#define PA_FOLDED_H

#include "format.h"
#include "strbuf.h"

/*
 * One frame: "FUNC (FILE:LINE)", ":?" for an unknown line, "?" for an
 * unknown name. Escaped as the text output escapes a quoted str (spaces
 * kept), and a ';' (the separator) written \x3b.
 */
void folded__frame(struct sb *b, const struct rec_value *f, int line);

/*
 * The stack of v without its count: its frames outermost first, then
 * the event name. The root is "[...]" when the walk stopped before the
 * outermost frame (frames_max reached, or no room), "[no Python frame]",
 * "[frame unreadable]" or "[frames unsupported]" when there is none.
 */
void folded__stack(struct sb *b, const struct event_view *v,
		   unsigned int frames_max);

#endif
