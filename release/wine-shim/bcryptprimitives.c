/*
 * Test-only stand-in for Windows' bcryptprimitives.dll, for running xxgk.exe
 * under Wine 8, which lacks the DLL. Rust's std (since 1.78) takes its random
 * bytes (HashMap keys) from ProcessPrng in that DLL; Windows 8.1 and later
 * ship it. This shim forwards to RtlGenRandom (advapi32's SystemFunction036),
 * which Wine has.
 *
 * release/test.sh builds it with mingw into its own test folder only, beside
 * the exe under test. It is never put into dist/ or the release zip: real
 * Windows 10/11 has the real DLL.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
