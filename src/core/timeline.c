/* timeline.c - see timeline.h. */
#include "timeline.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

const char *mpp_span_cat_name(mpp_span_cat c)
{
    switch (c) {
    case MPP_SPAN_COMPUTE:
        return "compute";
    case MPP_SPAN_COMM:
        return "comm";
    case MPP_SPAN_IO:
        return "io";
    }
    return NULL;
}

size_t mpp_timeline_rank_max(uint64_t total, int nranks)
{
    uint64_t share = nranks > 0 ? total / (uint64_t)nranks : total;
    uint64_t least = total < MPP_TIMELINE_RANK_MIN ? total : MPP_TIMELINE_RANK_MIN;
    share = share < least ? least : share;
    return share > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)share;
}

void mpp_timeline_init(mpp_timeline *t, size_t max)
{
    *t = (mpp_timeline){.spans = NULL, .n = 0, .cap = 0, .max = max, .dropped = 0};
}

void mpp_timeline_add(mpp_timeline *t, const mpp_span *s)
{
    if (t->n >= t->max) {
        t->dropped++;
        return;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        if (cap > t->max)
            cap = t->max;
        mpp_span *spans = realloc(t->spans, cap * sizeof *spans);
        if (spans == NULL) {
            t->dropped++;
            return;
        }
        t->spans = spans;
        t->cap = cap;
    }
    mpp_span *d = &t->spans[t->n++];
    *d = *s;
    d->what[MPP_SPAN_NAME - 1] = '\0';
}

void mpp_timeline_free(mpp_timeline *t)
{
    free(t->spans);
    mpp_timeline_init(t, t->max);
}

void mpp_span_title(const mpp_span *s, char *buf, size_t size)
{
    if (s->cat == MPP_SPAN_COMPUTE)
        snprintf(buf, size, "%s [%" PRIu64 ", %" PRIu64 "]", s->what, s->lo, s->hi);
    else if (s->round > 0)
        snprintf(buf, size, "%s round %" PRIu64, s->what, s->round);
    else
        snprintf(buf, size, "%s", s->what);
}

/* Seconds as the trace's microseconds. */
static double us(double seconds)
{
    return seconds * 1e6;
}

static void metadata(FILE *f, const mpp_trace_lane *l, bool *first)
{
    char name[128];
    snprintf(name, sizeof name, "rank %d (%s)", l->rank, l->host ? l->host : "?");
    fprintf(f, "%s\n  {\"name\": \"process_name\", \"ph\": \"M\", \"pid\": %d, \"tid\": 0, "
               "\"args\": {\"name\": ", *first ? "" : ",", l->rank);
    mpp_json_string(f, name);
    fprintf(f, "}},\n  {\"name\": \"process_sort_index\", \"ph\": \"M\", \"pid\": %d, "
               "\"tid\": 0, \"args\": {\"sort_index\": %d}}", l->rank, l->rank);
    *first = false;
}

static void event(FILE *f, int rank, const mpp_span *s)
{
    char title[96];
    mpp_span_title(s, title, sizeof title);
    double dur = s->end > s->start ? s->end - s->start : 0;
    fprintf(f, ",\n  {\"name\": ");
    mpp_json_string(f, title);
    fprintf(f, ", \"cat\": \"%s\", \"ph\": \"X\", \"ts\": %.3f, \"dur\": %.3f, \"pid\": %d, "
               "\"tid\": 0",
            mpp_span_cat_name(s->cat) ? mpp_span_cat_name(s->cat) : "comm", us(s->start),
            us(dur), rank);
    if (s->cat == MPP_SPAN_COMPUTE)
        /* strings: exact above 2^53, for readers that parse numbers as doubles */
        fprintf(f, ", \"args\": {\"lo\": \"%" PRIu64 "\", \"hi\": \"%" PRIu64 "\", "
                   "\"round\": %" PRIu64 "}}", s->lo, s->hi, s->round);
    else
        fprintf(f, ", \"args\": {\"round\": %" PRIu64 "}}", s->round);
}

bool mpp_trace_write(FILE *f, const mpp_trace_lane *lanes, int nlanes, size_t max,
                     const char *clock)
{
    bool first = true;
    uint64_t dropped = 0;
    int short_lanes = 0;
    fprintf(f, "{\"traceEvents\": [");
    for (int i = 0; i < nlanes; i++)
        metadata(f, &lanes[i], &first);
    for (int i = 0; i < nlanes; i++) {
        const mpp_trace_lane *l = &lanes[i];
        double end = 0;
        for (size_t k = 0; k < l->n; k++) {
            event(f, l->rank, &l->spans[k]);
            end = l->spans[k].end > end ? l->spans[k].end : end;
        }
        if (l->dropped) {
            fprintf(f, ",\n  {\"name\": \"timeline full: %" PRIu64 " later events not "
                       "recorded\", \"ph\": \"i\", \"s\": \"p\", \"ts\": %.3f, \"pid\": %d, "
                       "\"tid\": 0}",
                    l->dropped, us(end), l->rank);
            dropped += l->dropped;
            short_lanes++;
        }
    }
    fprintf(f, "\n],\n\"displayTimeUnit\": \"ms\",\n\"otherData\": {\"producer\": "
               "\"mpprimes %s\", \"clock\": ",
            MPPRIMES_VERSION);
    mpp_json_string(f, clock ? clock : "");
    fprintf(f, ", \"events_per_rank_max\": %zu, \"events_dropped\": %" PRIu64, max, dropped);
    if (dropped)
        fprintf(f, ", \"note\": \"%d of %d ranks reached the cap of %zu events and recorded "
                   "no later ones (%" PRIu64 " events in all); the trace shows only the "
                   "start of their work\"",
                short_lanes, nlanes, max, dropped);
    fprintf(f, "}}\n");
    return fflush(f) == 0 && !ferror(f);
}
