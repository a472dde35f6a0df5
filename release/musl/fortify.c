/*
 * Linked into the static musl builds only (release/build.sh).
 *
 * Rust's std unwinds panics with LLVM's libunwind on musl targets. Rust's
 * own toolchain ships that libunwind.a prebuilt; the build here uses
 * Debian's (package libunwind-19-dev), which was compiled against glibc
 * with _FORTIFY_SOURCE, so it calls glibc's checked __fprintf_chk on its
 * error paths. musl has no _chk functions: this is the one it needs,
 * without the check (libunwind passes a constant format).
 */
#include <stdarg.h>
#include <stdio.h>

int __fprintf_chk(FILE *stream, int flag, const char *format, ...)
{
    va_list ap;
    int n;
    (void)flag;
    va_start(ap, format);
    n = vfprintf(stream, format, ap);
    va_end(ap);
    return n;
}
