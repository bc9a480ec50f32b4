#include "bot/lib/xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* A whole number Excel can hold exactly and a person would sum: "12", "-3"; not "007". */
static int whole_number(const char *s, double *v)
{
    const char *p = s + (*s == '-');
    size_t n = strspn(p, "0123456789");
    if (!n || p[n] || n > 15 || (p[0] == '0' && n > 1))
        return 0;
    *v = strtod(s, NULL);
    return 1;
}

int xlsx_table(const char *sheet, const char *const *cells, size_t rows, size_t cols,
               struct sbuf *out)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/tyndau-xlsx-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    int rc = -1;
    /* rows are written in order: kept on disk as they come, not all in memory */
    lxw_workbook_options opts = {.constant_memory = LXW_TRUE};
    lxw_workbook *wb = workbook_new_opt(path, &opts);
    if (!wb)
        goto out;
    lxw_worksheet *ws = workbook_add_worksheet(wb, sheet);
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            const char *v = cells[r * cols + c] ? cells[r * cols + c] : "";
            double n;
            if (r > 0 && whole_number(v, &n))
                worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c, n, NULL);
            else
                worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, v, r ? NULL : bold);
        }
    worksheet_freeze_panes(ws, 1, 0);
    for (size_t c = 0; c < cols; c++)
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, c + 1 == cols ? 60 : 18, NULL);
    if (workbook_close(wb) != LXW_NO_ERROR)
        goto out;
    FILE *f = fopen(path, "rb");
    if (!f)
        goto out;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sbuf_add(out, buf, n);
    rc = ferror(f) ? -1 : 0;
    fclose(f);
out:
    unlink(path);
    return rc;
}
