/*
 * c-web: an Augur plugin in C (ABI v1), proving the ABI is language-neutral.
 *
 *   provider:
 *     plugin:
 *       augur/c-web:
 *         url: http://service.internal/stats.json
 *
 * Step 0 asks the host to GET `url`; step 1 answers the JSON body as the result (the
 * engine applies the metric's conditions to it), or an error for a transport failure or a
 * status other than 2xx. Argo's Web provider without jsonPath, in ~250 lines of C with no
 * JSON library: the input is scanned in place, the output written by hand.
 *
 * Build (Debian clang + wasi-libc):
 *   clang --target=wasm32-wasi -O2 -mexec-model=reactor -o c_web.wasm c_web.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT(name) __attribute__((export_name(name)))

/* ---- output buffer: kept until the next call (the ABI's ownership rule) ---- */
static char *out;
static size_t out_len, out_cap;

static int put(const char *s, size_t n) {
    if (out_len + n > out_cap) {
        size_t cap = out_cap ? out_cap * 2 : 256;
        while (cap < out_len + n) cap *= 2;
        char *p = realloc(out, cap);
        if (!p) return 0;
        out = p;
        out_cap = cap;
    }
    memcpy(out + out_len, s, n);
    out_len += n;
    return 1;
}
static int puts_(const char *s) { return put(s, strlen(s)); }

static int64_t packed(void) { return ((int64_t)(uintptr_t)out << 32) | (int64_t)(uint32_t)out_len; }

/* ---- a minimal JSON scanner over the input ---- */
static const char *ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
    return p;
}

/* Returns the end of the value at p, or NULL if malformed. */
static const char *skip(const char *p, const char *end) {
    p = ws(p, end);
    if (p >= end) return NULL;
    if (*p == '"') {
        for (p++; p < end; p++) {
            if (*p == '\\') p++;
            else if (*p == '"') return p + 1;
        }
        return NULL;
    }
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = ws(p + 1, end);
        if (p < end && *p == close) return p + 1;
        for (;;) {
            if (close == '}') {
                p = skip(p, end); /* key */
                if (!p) return NULL;
                p = ws(p, end);
                if (p >= end || *p != ':') return NULL;
                p++;
            }
            p = skip(p, end);
            if (!p) return NULL;
            p = ws(p, end);
            if (p < end && *p == ',') { p++; continue; }
            if (p < end && *p == close) return p + 1;
            return NULL;
        }
    }
    while (p < end && !strchr(",}] \n\r\t", *p)) p++;
    return p;
}

/* The value of `key` in the object at p (NULL if absent); *vend receives its end. */
static const char *member(const char *p, const char *end, const char *key, const char **vend) {
    size_t klen = strlen(key);
    p = ws(p, end);
    if (p >= end || *p != '{') return NULL;
    p = ws(p + 1, end);
    while (p < end && *p == '"') {
        const char *kend = skip(p, end);
        if (!kend) return NULL;
        int match = (size_t)(kend - p - 2) == klen && memcmp(p + 1, key, klen) == 0;
        p = ws(kend, end);
        if (p >= end || *p != ':') return NULL;
        const char *v = ws(p + 1, end);
        const char *e = skip(v, end);
        if (!e) return NULL;
        if (match) { *vend = e; return v; }
        p = ws(e, end);
        if (p < end && *p == ',') p = ws(p + 1, end);
    }
    return NULL;
}

/* Appends the JSON string token [s, e) unescaped (the body of a response is JSON text). */
static int put_unescaped(const char *s, const char *e) {
    for (s++, e--; s < e; s++) {
        char c = *s;
        if (c != '\\') { if (!put(&c, 1)) return 0; continue; }
        if (++s >= e) return 0;
        switch (*s) {
        case 'n': c = '\n'; break;
        case 't': c = '\t'; break;
        case 'r': c = '\r'; break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'u': {
            if (e - s < 5) return 0;
            unsigned cp = (unsigned)strtoul((char[5]){s[1], s[2], s[3], s[4], 0}, NULL, 16);
            s += 4;
            char u[3];
            if (cp < 0x80) { u[0] = (char)cp; if (!put(u, 1)) return 0; }
            else if (cp < 0x800) { u[0] = (char)(0xC0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3F)); if (!put(u, 2)) return 0; }
            else { u[0] = (char)(0xE0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[2] = (char)(0x80 | (cp & 0x3F)); if (!put(u, 3)) return 0; }
            continue;
        }
        default: c = *s; /* \" \\ \/ */
        }
        if (!put(&c, 1)) return 0;
    }
    return 1;
}

static int64_t error(const char *message, const char *raw, const char *raw_end) {
    out_len = 0;
    puts_("{\"result\":\"error\",\"message\":\"c-web: ");
    puts_(message);
    if (raw) {
        /* raw is a JSON string token: splice its contents */
        put(raw + 1, (size_t)(raw_end - raw - 2));
    }
    puts_("\"}");
    return packed();
}

/* ---- ABI v1 exports ---- */
EXPORT("augur_abi_version") int32_t augur_abi_version(void) { return 1; }

EXPORT("augur_alloc") int32_t augur_alloc(int32_t len) { return (int32_t)(uintptr_t)malloc(len > 0 ? (size_t)len : 1); }

EXPORT("augur_dealloc") void augur_dealloc(int32_t ptr, int32_t len) { (void)len; free((void *)(uintptr_t)ptr); }

EXPORT("augur_describe") int64_t augur_describe(void) {
    out_len = 0;
    puts_("{\"abi\":1,\"name\":\"augur/c-web\",\"version\":\"0.1.0\","
          "\"description\":\"GET a URL; its JSON body is the result (written in C)\","
          "\"configSchema\":{\"type\":\"object\",\"required\":[\"url\"],\"properties\":{\"url\":{\"type\":\"string\"}}},"
          "\"hosts\":[\"*\"]}");
    return packed();
}

EXPORT("augur_step") int64_t augur_step(int32_t ptr, int32_t len) {
    char *in = (char *)(uintptr_t)ptr;
    const char *end = in + len, *vend, *rend;
    int64_t result;
    const char *config = member(in, end, "config", &vend);
    const char *url = config ? member(config, vend, "url", &vend) : NULL;
    const char *responses = member(in, end, "responses", &rend);
    if (!url || *url != '"') {
        result = error("config.url is required", NULL, NULL);
    } else if (!responses || *ws(responses + 1, rend) == ']') {
        out_len = 0;
        puts_("{\"result\":\"requests\",\"requests\":[{\"method\":\"GET\",\"url\":");
        put(url, (size_t)(vend - url));
        puts_("}]}");
        result = packed();
    } else {
        const char *r = ws(responses + 1, rend), *err_end, *status_end, *body_end;
        const char *err = member(r, rend, "error", &err_end);
        const char *status = member(r, rend, "status", &status_end);
        const char *body = member(r, rend, "body", &body_end);
        if (err && *err == '"') {
            result = error("", err, err_end);
        } else if (!status || *status != '2') {
            result = error("the server did not answer 2xx", NULL, NULL);
        } else if (!body || *body != '"') {
            result = error("the response has no body", NULL, NULL);
        } else {
            out_len = 0;
            puts_("{\"result\":\"done\",\"resultType\":\"json\",\"value\":");
            put_unescaped(body, body_end);
            puts_("}");
            result = packed();
        }
    }
    free(in);
    return result;
}
