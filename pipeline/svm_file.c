/* svm_file.c: reads libsvm's text model format ourselves instead of with
 * svm_load_model, because model files come from colleagues and the net and
 * libsvm's loader trusts its input; every count and index is checked here.
 * Linear models are collapsed to per-pair weight vectors as they are read,
 * and `train` writes them so collapsed. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

#define SVM_MAX_SV 50000000L
/* Every number in a model is at most this in magnitude, so that no sum of
 * products over a model and a paragraph can overflow to inf or NaN. */
#define SVM_MAX_ABS 1e15

typedef struct {
    const char *p, *end;
    size_t line;
} cursor;

/* The next line, NUL-free and without its newline; NULL at the end. */
static const char *next_line(cursor *c, size_t *len)
{
    if (c->p >= c->end)
        return NULL;
    const char *s = c->p, *nl = memchr(s, '\n', (size_t)(c->end - s));
    const char *e = nl ? nl : c->end;
    c->p = nl ? nl + 1 : c->end;
    c->line++;
    *len = (size_t)(e - s);
    return s;
}

static int parse_doubles(const char *s, size_t len, double *out, size_t n)
{
    char buf[64];
    const char *e = s + len;
    for (size_t i = 0; i < n; i++) {
        while (s < e && *s == ' ')
            s++;
        size_t k = 0;
        while (s < e && *s != ' ' && k < sizeof buf - 1)
            buf[k++] = *s++;
        buf[k] = '\0';
        if (!k)
            return -1;
        char *end;
        errno = 0;
        out[i] = strtod(buf, &end);
        if (*end || errno == ERANGE || !(fabs(out[i]) <= SVM_MAX_ABS))
            return -1;
    }
    while (s < e && *s == ' ')
        s++;
    return s == e ? 0 : -1;
}

/* Parses a decimal number in s[0..e). libsvm writes millions of them with
 * %.8g; those take Clinger's fast path (an exact integer mantissa and an
 * exact power of ten give a correctly rounded quotient, the value strtod
 * returns) and anything else goes to strtod. Returns the end or NULL. */
static const char *parse_number(const char *s, const char *e, double *out)
{
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s;
    int neg = 0, digits = 0, frac = 0, exp10 = 0;
    uint64_t mant = 0;
    if (p < e && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    for (; p < e && *p >= '0' && *p <= '9'; p++, digits++)
        mant = mant * 10 + (uint64_t)(*p - '0');
    if (p < e && *p == '.')
        for (p++; p < e && *p >= '0' && *p <= '9'; p++, digits++, frac++)
            mant = mant * 10 + (uint64_t)(*p - '0');
    if (p < e && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        int eneg = 0, ev = 0, edigits = 0;
        if (q < e && (*q == '-' || *q == '+'))
            eneg = *q++ == '-';
        for (; q < e && *q >= '0' && *q <= '9' && ev < 10000; q++, edigits++)
            ev = ev * 10 + (*q - '0');
        if (edigits)
            exp10 = eneg ? -ev : ev;
        p = edigits ? q : p;
    }
    exp10 -= frac;
    if (digits > 0 && digits <= 19 && mant <= (1ULL << 53) && exp10 >= -22 &&
        exp10 <= 22 && (p == e || *p == ' ' || *p == ':')) {
        double v = (double)mant;
        v = exp10 < 0 ? v / pow10[-exp10] : v * pow10[exp10];
        *out = neg ? -v : v;
        return fabs(v) <= SVM_MAX_ABS ? p : NULL;
    }
    char buf[64];
    size_t n = 0;
    while (s + n < e && s[n] != ' ' && n < sizeof buf - 1) {
        buf[n] = s[n];
        n++;
    }
    buf[n] = '\0';
    char *end;
    errno = 0;
    *out = strtod(buf, &end);
    if (end == buf || errno == ERANGE || !(fabs(*out) <= SVM_MAX_ABS))
        return NULL;
    return s + (end - buf);
}

static int keyword(const char *s, size_t len, const char *kw, const char **rest,
                   size_t *rest_len)
{
    size_t n = strlen(kw);
    if (len < n || memcmp(s, kw, n) || (len > n && s[n] != ' '))
        return 0;
    *rest = s + n;
    *rest_len = len - n;
    return 1;
}

static int bad(char *err, size_t line, const char *what)
{
    snprintf(err, STANCE_ERRBUF, "line %zu: %s", line, what);
    return STANCE_EMODEL;
}

int stance_svm_parse(const char *text, size_t len, stance_model *m, char *err)
{
    cursor c = {text, text + len, 0};
    const char *s, *rest;
    size_t n, rest_len, k = m->nlabels, np = k * (k - 1) / 2;
    double total_sv = -1, gamma = -1;
    double labels[STANCE_MAX_LABELS], nsv[STANCE_MAX_LABELS];
    int have_labels = 0, have_nsv = 0, have_rho = 0, have_a = 0, have_b = 0;
    int rc = STANCE_ENOMEM;
    struct svm_node *nodes = NULL;
    size_t nodes_cap = 0;

    if (memchr(text, '\0', len))
        return bad(err, 0, "holds a NUL byte");
    m->npairs = np;
    m->rho = calloc(np, sizeof *m->rho);
    m->prob_a = calloc(np, sizeof *m->prob_a);
    m->prob_b = calloc(np, sizeof *m->prob_b);
    m->class_label = calloc(k, sizeof *m->class_label);
    if (!m->rho || !m->prob_a || !m->prob_b || !m->class_label)
        return STANCE_ENOMEM;
    for (;;) {
        if (!(s = next_line(&c, &n)))
            return bad(err, c.line, "ends before the support vectors");
        if (keyword(s, n, "SV", &rest, &rest_len) && !rest_len)
            break;
        double v[STANCE_MAX_LABELS * (STANCE_MAX_LABELS - 1) / 2];
        if (keyword(s, n, "svm_type", &rest, &rest_len)) {
            if (rest_len != 6 || memcmp(rest, " c_svc", 6))
                return bad(err, c.line, "is not a C-SVC model");
        } else if (keyword(s, n, "kernel_type", &rest, &rest_len)) {
            const char *want = m->rbf ? " rbf" : " linear";
            if (rest_len != strlen(want) || memcmp(rest, want, rest_len))
                return bad(err, c.line, "kernel disagrees with the manifest");
        } else if (keyword(s, n, "gamma", &rest, &rest_len)) {
            if (parse_doubles(rest, rest_len, &gamma, 1) || gamma <= 0)
                return bad(err, c.line, "invalid gamma");
        } else if (keyword(s, n, "nr_class", &rest, &rest_len)) {
            if (parse_doubles(rest, rest_len, v, 1) || v[0] != (double)k)
                return bad(err, c.line, "number of classes disagrees with the manifest");
        } else if (keyword(s, n, "total_sv", &rest, &rest_len)) {
            if (parse_doubles(rest, rest_len, &total_sv, 1) || total_sv < 1 ||
                total_sv > SVM_MAX_SV || total_sv != floor(total_sv))
                return bad(err, c.line, "invalid total_sv");
        } else if (keyword(s, n, "rho", &rest, &rest_len)) {
            if (parse_doubles(rest, rest_len, m->rho, np))
                return bad(err, c.line, "invalid rho");
            have_rho = 1;
        } else if (keyword(s, n, "label", &rest, &rest_len)) {
            if (parse_doubles(rest, rest_len, labels, k))
                return bad(err, c.line, "invalid labels");
            have_labels = 1;
        } else if (keyword(s, n, "probA", &rest, &rest_len)) {
            if (parse_doubles(rest, rest_len, m->prob_a, np))
                return bad(err, c.line, "invalid probA");
            have_a = 1;
        } else if (keyword(s, n, "probB", &rest, &rest_len)) {
            if (parse_doubles(rest, rest_len, m->prob_b, np))
                return bad(err, c.line, "invalid probB");
            have_b = 1;
        } else if (keyword(s, n, "nr_sv", &rest, &rest_len)) {
            if (parse_doubles(rest, rest_len, nsv, k))
                return bad(err, c.line, "invalid nr_sv");
            have_nsv = 1;
        } else {
            return bad(err, c.line, "unknown header line");
        }
    }
    if (!have_labels || !have_nsv || !have_rho || total_sv < 0 ||
        (m->rbf && gamma < 0))
        return bad(err, c.line, "header lacks label, nr_sv, rho, total_sv or gamma");
    if (m->probability && !(have_a && have_b))
        return bad(err, c.line, "manifest promises probabilities but probA/probB are missing");
    if (!m->probability && (have_a || have_b))
        return bad(err, c.line, "has probA/probB but the manifest says no probabilities");
    m->probability = m->probability && have_a && have_b;
    double sum = 0;
    int seen[STANCE_MAX_LABELS] = {0};
    for (size_t i = 0; i < k; i++) {
        if (labels[i] < 0 || labels[i] >= (double)k || labels[i] != floor(labels[i]) ||
            seen[(int)labels[i]]++)
            return bad(err, c.line, "labels are not 0..k-1");
        m->class_label[i] = (int)labels[i];
        if (nsv[i] < 0 || nsv[i] != floor(nsv[i]))
            return bad(err, c.line, "invalid nr_sv");
        sum += nsv[i];
    }
    if (sum != total_sv)
        return bad(err, c.line, "nr_sv does not add up to total_sv");
    size_t l = (size_t)total_sv, left = 0;
    /* one line per support vector: check before allocating for them */
    for (const char *q = c.p; q < c.end; left++) {
        const char *nl = memchr(q, '\n', (size_t)(c.end - q));
        q = nl ? nl + 1 : c.end;
    }
    if (l > left)
        return bad(err, c.line, "is truncated: fewer support vectors than total_sv");

    struct svm_model *svm = NULL;
    if (m->rbf) {
        svm = m->svm = calloc(1, sizeof *svm);
        if (!svm)
            return STANCE_ENOMEM;
        svm->param.svm_type = C_SVC;
        svm->param.kernel_type = RBF;
        svm->param.gamma = gamma;
        svm->nr_class = (int)k;
        svm->l = 0;
        svm->free_sv = 1;
        svm->rho = m->rho;
        svm->probA = m->probability ? m->prob_a : NULL;
        svm->probB = m->probability ? m->prob_b : NULL;
        svm->SV = calloc(l, sizeof *svm->SV);
        svm->sv_coef = calloc(k - 1, sizeof *svm->sv_coef);
        svm->label = malloc(k * sizeof *svm->label);
        svm->nSV = malloc(k * sizeof *svm->nSV);
        if (!svm->SV || !svm->sv_coef || !svm->label || !svm->nSV)
            return STANCE_ENOMEM;
        for (size_t i = 0; i + 1 < k; i++)
            if (!(svm->sv_coef[i] = malloc(l * sizeof **svm->sv_coef)))
                return STANCE_ENOMEM;
        for (size_t i = 0; i < k; i++) {
            svm->label[i] = m->class_label[i];
            svm->nSV[i] = (int)nsv[i];
        }
    } else {
        if (m->vocab_size > ((size_t)-1 / sizeof(double)) / (np ? np : 1))
            return STANCE_ENOMEM;
        m->w = calloc(m->vocab_size * np + 1, sizeof *m->w);
        if (!m->w)
            return STANCE_ENOMEM;
    }

    size_t cls = 0, left_in_class = (size_t)nsv[0];
    for (size_t sv = 0; sv < l; sv++) {
        while (left_in_class == 0 && cls + 1 < k)
            left_in_class = (size_t)nsv[++cls];
        left_in_class--;
        if (!(s = next_line(&c, &n)))
            { rc = bad(err, c.line, "is truncated: fewer support vectors than total_sv"); goto out; }
        const char *e = s + n;
        double coef[STANCE_MAX_LABELS];
        size_t nn = 0;
        for (size_t i = 0; i < k - 1; i++) {
            while (s < e && *s == ' ')
                s++;
            s = parse_number(s, e, &coef[i]);
            if (!s || (s < e && *s != ' '))
                { rc = bad(err, c.line, "invalid coefficient"); goto out; }
        }
        long last = 0;
        if (STANCE_ARRAY_GROW(nodes, nodes_cap, 1))
            goto out;
        while (s < e) {
            while (s < e && *s == ' ')
                s++;
            if (s == e)
                break;
            long idx = 0;
            const char *d = s;
            while (s < e && *s >= '0' && *s <= '9' && idx <= (long)m->vocab_size)
                idx = idx * 10 + (*s++ - '0');
            if (s == d || s == e || *s != ':')
                { rc = bad(err, c.line, "invalid feature (want index:value)"); goto out; }
            if (idx <= last || (size_t)idx > m->vocab_size)
                { rc = bad(err, c.line, "feature index out of order or beyond the vocabulary"); goto out; }
            double val;
            s = parse_number(s + 1, e, &val);
            if (!s || (s < e && *s != ' '))
                { rc = bad(err, c.line, "invalid feature value"); goto out; }
            last = idx;
            if (STANCE_ARRAY_GROW(nodes, nodes_cap, nn + 2))
                goto out;
            nodes[nn++] = (struct svm_node){(int)idx, val};
        }
        if (m->rbf) {
            nodes[nn].index = -1;
            svm->SV[sv] = malloc((nn + 1) * sizeof **svm->SV);
            if (!svm->SV[sv])
                goto out;
            memcpy(svm->SV[sv], nodes, (nn + 1) * sizeof *nodes);
            for (size_t i = 0; i + 1 < k; i++)
                svm->sv_coef[i][sv] = coef[i];
            svm->l = (int)sv + 1;
            continue;
        }
        /* the SV of class `cls` takes part in the pair with every other
         * class o, with coefficient row o-1 when o > cls, row o otherwise */
        for (size_t o = 0; o < k; o++) {
            if (o == cls)
                continue;
            size_t i = cls < o ? cls : o, j = cls < o ? o : cls;
            size_t p = i * (2 * k - i - 1) / 2 + (j - i - 1);
            double a = coef[o > cls ? o - 1 : o];
            for (size_t t = 0; t < nn; t++)
                m->w[(size_t)(nodes[t].index - 1) * np + p] += a * nodes[t].value;
        }
    }
    if (next_line(&c, &n) && n)
        { rc = bad(err, c.line, "has more support vectors than total_sv"); goto out; }
    if (!m->rbf)
        stance_model_fix_point(m);
    rc = 0;
out:
    free(nodes);
    return rc;
}

/* A header line of per-pair numbers, "name v1 v2 ...\n", as libsvm writes
 * them. */
static int add_pair_row(stance_buf *out, const char *name, const double *v, size_t np)
{
    int rc = stance_buf_adds(out, name);
    for (size_t p = 0; !rc && p < np; p++)
        rc = stance_buf_addf(out, " %.17g", v[p]);
    return rc ? rc : stance_buf_addc(out, '\n');
}

int stance_svm_format_linear(const stance_model *m, stance_buf *out)
{
    size_t k = m->nlabels, np = m->npairs;
    /* libsvm's own layout and number formats (svm_save_model), so that its
     * loader, and svm-predict, take the file as theirs */
    int rc = stance_buf_addf(out, "svm_type c_svc\nkernel_type linear\nnr_class %zu\n"
                             "total_sv %zu\n", k, np);
    if (!rc)
        rc = add_pair_row(out, "rho", m->rho, np);
    if (!rc)
        rc = stance_buf_adds(out, "label");
    for (size_t c = 0; !rc && c < k; c++)
        rc = stance_buf_addf(out, " %d", m->class_label[c]);
    if (!rc)
        rc = stance_buf_addc(out, '\n');
    if (!rc && m->probability) {
        rc = add_pair_row(out, "probA", m->prob_a, np);
        if (!rc)
            rc = add_pair_row(out, "probB", m->prob_b, np);
    }
    /* pair (i, j)'s vector belongs to class i, which so holds one for each
     * later class; in libsvm's layout a class-i vector's coefficient for
     * the pair with a later class j is in row j - 1 */
    if (!rc)
        rc = stance_buf_adds(out, "nr_sv");
    for (size_t c = 0; !rc && c < k; c++)
        rc = stance_buf_addf(out, " %zu", k - 1 - c);
    if (!rc)
        rc = stance_buf_adds(out, "\nSV\n");
    size_t p = 0;
    for (size_t i = 0; !rc && i < k; i++)
        for (size_t j = i + 1; !rc && j < k; j++, p++) {
            for (size_t row = 0; !rc && row + 1 < k; row++)
                rc = stance_buf_adds(out, row == j - 1 ? "1 " : "0 ");
            for (size_t f = 0; !rc && f < m->vocab_size; f++) {
                double w = m->w[f * np + p];
                if (w != 0)
                    rc = stance_buf_addf(out, "%zu:%.17g ", f + 1, w);
            }
            if (!rc)
                rc = stance_buf_addc(out, '\n');
        }
    return rc ? STANCE_ENOMEM : 0;
}
