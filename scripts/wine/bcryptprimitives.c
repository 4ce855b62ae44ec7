/*
 * Test-only stand-in for Windows' bcryptprimitives.dll under Wine 8.0
 * (Debian 12), which lacks it. Go >= 1.22's runtime refuses to start without
 * bcryptprimitives!ProcessPrng (Windows 10+ ships it). scripts/package-test.sh
 * builds this with mingw-w64 into the Wine prefix's system32; it is never
 * packaged. ProcessPrng is served by advapi32's RtlGenRandom
 * (SystemFunction036), which Wine implements.
 *
 *   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
