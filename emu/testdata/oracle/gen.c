// Native oracle for the emu instruction tests: runs each instruction in the
// table on the host CPU for a grid of inputs and prints its code bytes,
// inputs and outputs (registers, RFLAGS, a 64-byte memory buffer).
// Built and run by emu's TestNativeOracle; never edit expected values by hand.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void run_case(uint64_t *st, void (*fn)(void));

// SSE snippets: xmm0 = 16 bytes at [rdi] (rax, rbx as stored), xmm1 = {rbx, rax};
// the result goes to [rdi+32] so the memory comparison checks it.
#define SSE_IN "movdqu xmm0, [rdi]\n movq xmm1, rbx\n movq xmm2, rax\n punpcklqdq xmm1, xmm2\n "
#define SSE2(op) SSE_IN op " xmm0, xmm1\n movdqu [rdi+32], xmm0\n movdqu [rdi+48], xmm1"
#define SSEI(op, imm) SSE_IN op " xmm0, xmm1, " imm "\n movdqu [rdi+32], xmm0"
#define SSESH(op, imm) SSE_IN op " xmm0, " imm "\n movdqu [rdi+32], xmm0"

#define SSELIST \
	X(pxor, SSE2("pxor"), 0) X(por, SSE2("por"), 0) X(pand, SSE2("pand"), 0) X(pandn, SSE2("pandn"), 0) \
	X(xorps, SSE2("xorps"), 0) X(andnpd, SSE2("andnpd"), 0) X(orps, SSE2("orps"), 0) \
	X(paddb, SSE2("paddb"), 0) X(paddw, SSE2("paddw"), 0) X(paddd, SSE2("paddd"), 0) X(paddq, SSE2("paddq"), 0) \
	X(psubb, SSE2("psubb"), 0) X(psubw, SSE2("psubw"), 0) X(psubd, SSE2("psubd"), 0) X(psubq, SSE2("psubq"), 0) \
	X(pcmpeqb, SSE2("pcmpeqb"), 0) X(pcmpeqw, SSE2("pcmpeqw"), 0) X(pcmpeqd, SSE2("pcmpeqd"), 0) \
	X(pcmpgtb, SSE2("pcmpgtb"), 0) X(pcmpgtd, SSE2("pcmpgtd"), 0) X(pminub, SSE2("pminub"), 0) X(pmaxub, SSE2("pmaxub"), 0) \
	X(pminsw, SSE2("pminsw"), 0) X(pmaxsw, SSE2("pmaxsw"), 0) X(paddusb, SSE2("paddusb"), 0) X(psubusb, SSE2("psubusb"), 0) \
	X(paddsw, SSE2("paddsw"), 0) X(psubsw, SSE2("psubsw"), 0) X(paddusw, SSE2("paddusw"), 0) X(psubusw, SSE2("psubusw"), 0) \
	X(pavgb, SSE2("pavgb"), 0) X(pmullw, SSE2("pmullw"), 0) X(pmulhw, SSE2("pmulhw"), 0) X(pmulhuw, SSE2("pmulhuw"), 0) \
	X(pmuludq, SSE2("pmuludq"), 0) X(pmaddwd, SSE2("pmaddwd"), 0) \
	X(packuswb, SSE2("packuswb"), 0) X(packsswb, SSE2("packsswb"), 0) X(packssdw, SSE2("packssdw"), 0) \
	X(punpcklbw, SSE2("punpcklbw"), 0) X(punpcklwd, SSE2("punpcklwd"), 0) X(punpckldq, SSE2("punpckldq"), 0) \
	X(punpcklqdq, SSE2("punpcklqdq"), 0) X(punpckhbw, SSE2("punpckhbw"), 0) X(punpckhwd, SSE2("punpckhwd"), 0) \
	X(punpckhdq, SSE2("punpckhdq"), 0) X(punpckhqdq, SSE2("punpckhqdq"), 0) X(unpcklpd, SSE2("unpcklpd"), 0) \
	X(unpckhps, SSE2("unpckhps"), 0) \
	X(pshufd, SSEI("pshufd", "0x1b"), 0) X(pshufd2, SSEI("pshufd", "0xe4"), 0) X(pshuflw, SSEI("pshuflw", "0x93"), 0) \
	X(pshufhw, SSEI("pshufhw", "0x39"), 0) X(shufps, SSEI("shufps", "0x4e"), 0) X(shufpd, SSEI("shufpd", "1"), 0) \
	X(psllw, SSESH("psllw", "3"), 0) X(pslld, SSESH("pslld", "17"), 0) X(psllq, SSESH("psllq", "40"), 0) \
	X(psrlw, SSESH("psrlw", "15"), 0) X(psrld, SSESH("psrld", "1"), 0) X(psrlq, SSESH("psrlq", "63"), 0) \
	X(psraw, SSESH("psraw", "4"), 0) X(psrad, SSESH("psrad", "31"), 0) X(pslldq, SSESH("pslldq", "5"), 0) \
	X(psrldq, SSESH("psrldq", "11"), 0) X(psrlqbig, SSESH("psrlq", "64"), 0) \
	X(psllqx, SSE_IN "movq xmm1, rcx\n psllq xmm0, xmm1\n movdqu [rdi+32], xmm0", 0) \
	X(psradx, SSE_IN "movq xmm1, rcx\n psrad xmm0, xmm1\n movdqu [rdi+32], xmm0", 0) \
	X(pmovmskb, SSE_IN "pmovmskb ecx, xmm0", 0) X(movmskpd, SSE_IN "movmskpd ecx, xmm1", 0) \
	X(movmskps, SSE_IN "movmskps rcx, xmm0", 0) \
	X(movd, "movd xmm3, eax\n movdqu [rdi+32], xmm3\n movd ecx, xmm3", 0) \
	X(movq, "movq xmm3, rbx\n movdqu [rdi+32], xmm3\n movq rcx, xmm3\n movq [rdi+56], xmm3", 0) \
	X(movqxx, SSE_IN "movq xmm0, xmm1\n movdqu [rdi+32], xmm0", 0) \
	X(movss, SSE_IN "movss xmm0, xmm1\n movss [rdi+52], xmm0\n movss xmm1, [rdi+4]\n movdqu [rdi+32], xmm0\n movdqu [rdi+64], xmm1", 0) \
	X(movsd, SSE_IN "movsd xmm0, xmm1\n movsd [rdi+52], xmm0\n movsd xmm1, [rdi+4]\n movdqu [rdi+32], xmm0\n movdqu [rdi+64], xmm1", 0) \
	X(movhps, SSE_IN "movhps xmm0, [rdi+20]\n movhpd [rdi+40], xmm1\n movlps xmm1, [rdi+3]\n movlpd [rdi+64], xmm0\n movdqu [rdi+80], xmm1\n movdqu [rdi+96], xmm0", 0) \
	X(movhlps, SSE_IN "movhlps xmm0, xmm1\n movlhps xmm1, xmm0\n movdqu [rdi+32], xmm0\n movdqu [rdi+48], xmm1", 0) \
	X(movdqa, SSE_IN "movdqa [rdi+48], xmm1\n movaps xmm2, [rdi+48]\n movups [rdi+65], xmm2\n movapd xmm4, xmm0\n movdqu [rdi+96], xmm4", 0) \
	X(cvtsi2sd64, "cvtsi2sd xmm0, rax\n movq [rdi+32], xmm0", 0) X(cvtsi2sd32, "cvtsi2sd xmm0, ebx\n movq [rdi+32], xmm0", 0) \
	X(cvtsi2sdm, "cvtsi2sd xmm0, dword ptr [rdi+8]\n movq [rdi+32], xmm0", 0) \
	X(cvtsi2ss, "cvtsi2ss xmm0, rax\n movd [rdi+32], xmm0", 0) \
	X(cvttsd2si, "movq xmm0, rax\n cvttsd2si rcx, xmm0\n cvttsd2si edx, xmm0", 0) \
	X(cvtsd2si, "cvtsi2sd xmm0, rax\n mov r8, 0x3ff8000000000000\n movq xmm1, r8\n mulsd xmm0, xmm1\n cvtsd2si rcx, xmm0\n cvtsd2si edx, xmm0", 0) \
	X(cvttss2si, "movd xmm0, eax\n cvttss2si rcx, xmm0\n cvtss2si edx, xmm0", 0) \
	X(cvtsd2ss, "pxor xmm1, xmm1\n pxor xmm2, xmm2\n movq xmm0, rax\n cvtsd2ss xmm1, xmm0\n cvtss2sd xmm2, xmm1\n movdqu [rdi+32], xmm1\n movq [rdi+48], xmm2", 0) \
	X(cvtdq2pd, SSE_IN "cvtdq2pd xmm2, xmm1\n cvttpd2dq xmm3, xmm2\n movdqu [rdi+32], xmm2\n movdqu [rdi+48], xmm3", 0) \
	X(fpd, "cvtsi2sd xmm0, rax\n cvtsi2sd xmm1, rbx\n movapd xmm2, xmm0\n addsd xmm2, xmm1\n movapd xmm3, xmm0\n subsd xmm3, xmm1\n movapd xmm4, xmm0\n mulsd xmm4, xmm1\n movapd xmm5, xmm0\n divsd xmm5, xmm1\n movq [rdi+32], xmm2\n movq [rdi+40], xmm3\n movq [rdi+48], xmm4\n movq [rdi+56], xmm5", 0) \
	X(fpdraw, "movq xmm0, rax\n movq xmm1, rbx\n movapd xmm2, xmm0\n addsd xmm2, xmm1\n movapd xmm3, xmm0\n minsd xmm3, xmm1\n movapd xmm4, xmm0\n maxsd xmm4, xmm1\n sqrtsd xmm5, xmm1\n movq [rdi+32], xmm2\n movq [rdi+40], xmm3\n movq [rdi+48], xmm4\n movq [rdi+56], xmm5", 0) \
	X(fps, "cvtsi2ss xmm0, rax\n cvtsi2ss xmm1, rbx\n movaps xmm2, xmm0\n addss xmm2, xmm1\n movaps xmm3, xmm0\n mulss xmm3, xmm1\n divss xmm0, xmm1\n movd [rdi+32], xmm2\n movd [rdi+36], xmm3\n movd [rdi+40], xmm0", 0) \
	X(ppd, "cvtsi2sd xmm0, rax\n cvtsi2sd xmm1, rbx\n unpcklpd xmm0, xmm1\n movapd xmm2, xmm0\n addpd xmm2, xmm0\n mulpd xmm2, xmm0\n movdqu [rdi+32], xmm2", 0) \
	X(ucomisd, "cvtsi2sd xmm0, rax\n cvtsi2sd xmm1, rbx\n ucomisd xmm0, xmm1", 0) \
	X(ucomisdraw, "movq xmm0, rax\n movq xmm1, rbx\n ucomisd xmm0, xmm1", 0) \
	X(comisd, "movq xmm0, rax\n movq xmm1, rbx\n comisd xmm1, xmm0", 0) \
	X(ucomiss, "movd xmm0, eax\n movd xmm1, ebx\n ucomiss xmm0, xmm1", 0) \
	X(pextrw, SSE_IN "pextrw ecx, xmm0, 3\n pextrw edx, xmm1, 6\n pinsrw xmm0, ebx, 5\n pinsrw xmm1, word ptr [rdi+1], 0\n movdqu [rdi+32], xmm0\n movdqu [rdi+48], xmm1", 0) \
	X(cvtps2pd, SSE_IN "cvtps2pd xmm2, xmm0\n cvtpd2ps xmm3, xmm1\n cvtps2dq xmm4, xmm0\n cvtpd2dq xmm5, xmm1\n movdqu [rdi+32], xmm2\n movdqu [rdi+48], xmm3\n movdqu [rdi+64], xmm4\n movdqu [rdi+80], xmm5", 0) \
	X(cvtint, "cvtsi2sd xmm0, rax\n cvtsi2sd xmm1, rbx\n unpcklpd xmm0, xmm1\n cvtpd2ps xmm2, xmm0\n cvtps2pd xmm3, xmm2\n cvtpd2dq xmm4, xmm0\n movdqu [rdi+32], xmm2\n movdqu [rdi+48], xmm3\n movdqu [rdi+64], xmm4", 0) \
	X(cmpsd, "movq xmm0, rax\n movq xmm1, rbx\n movapd xmm2, xmm0\n cmpltsd xmm2, xmm1\n movapd xmm3, xmm0\n cmpunordsd xmm3, xmm1\n movapd xmm4, xmm0\n cmpnlesd xmm4, xmm1\n movapd xmm5, xmm0\n cmpeqsd xmm5, xmm1\n movq [rdi+32], xmm2\n movq [rdi+40], xmm3\n movq [rdi+48], xmm4\n movq [rdi+56], xmm5", 0) \
	X(cmpps, SSE_IN "movaps xmm2, xmm0\n cmpleps xmm2, xmm1\n movaps xmm3, xmm0\n cmpneqps xmm3, xmm1\n movapd xmm4, xmm0\n cmpordpd xmm4, xmm1\n movapd xmm5, xmm0\n cmpnltpd xmm5, xmm1\n movdqu [rdi+32], xmm2\n movdqu [rdi+48], xmm3\n movdqu [rdi+64], xmm4\n movdqu [rdi+80], xmm5", 0) \
	X(cmpss, "movd xmm0, eax\n movd xmm1, ebx\n cmpltss xmm0, xmm1\n movdqu [rdi+32], xmm0", 0) \
	X(minmaxp, SSE_IN "movapd xmm2, xmm0\n minpd xmm2, xmm1\n movapd xmm3, xmm0\n maxps xmm3, xmm1\n movapd xmm4, xmm0\n minps xmm4, xmm1\n movapd xmm5, xmm0\n maxpd xmm5, xmm1\n movdqu [rdi+32], xmm2\n movdqu [rdi+48], xmm3\n movdqu [rdi+64], xmm4\n movdqu [rdi+80], xmm5", 0) \
	X(paddsb, SSE2("paddsb"), 0) X(psubsb, SSE2("psubsb"), 0) X(pavgw, SSE2("pavgw"), 0) X(psadbw, SSE2("psadbw"), 0) \
	X(maskmovdqu, SSE_IN "push rdi\n lea rdi, [rdi+40]\n maskmovdqu xmm1, xmm0\n pop rdi", 0) \
	X(sqrtp, SSE_IN "sqrtpd xmm2, xmm0\n sqrtps xmm3, xmm1\n movdqu [rdi+32], xmm2\n movdqu [rdi+48], xmm3", 0)

// x87 snippets keep the FPU stack balanced and store results to memory.
#define X87LIST \
	X(x87arith, "fild qword ptr [rdi]\n fild qword ptr [rdi+8]\n fld st(1)\n fadd st, st(1)\n fstp tbyte ptr [rdi+32]\n fld st(1)\n fmul st, st(1)\n fstp tbyte ptr [rdi+48]\n fld st(1)\n fdiv st, st(1)\n fstp tbyte ptr [rdi+64]\n fsubp st(1), st\n fstp tbyte ptr [rdi+80]", 0) \
	X(x87rev, "fild qword ptr [rdi]\n fild qword ptr [rdi+8]\n fld st(1)\n fsubr st, st(1)\n fstp tbyte ptr [rdi+32]\n fld st(1)\n fdivr st, st(1)\n fstp tbyte ptr [rdi+48]\n fdivrp st(1), st\n fstp tbyte ptr [rdi+64]", 0) \
	X(x87dbl, "fld qword ptr [rdi]\n fld qword ptr [rdi+8]\n fucomip st, st(1)\n fstp qword ptr [rdi+32]", 0) \
	X(x87dblarith, "fld qword ptr [rdi]\n fadd qword ptr [rdi+8]\n fst qword ptr [rdi+32]\n fmul qword ptr [rdi]\n fstp tbyte ptr [rdi+48]\n fld qword ptr [rdi]\n fdiv qword ptr [rdi+8]\n fstp qword ptr [rdi+64]", 0) \
	X(x87fist, "fild qword ptr [rdi]\n fild qword ptr [rdi+8]\n fdivp st(1), st\n fld st(0)\n fistp qword ptr [rdi+32]\n fld st(0)\n frndint\n fstp tbyte ptr [rdi+48]\n fistp dword ptr [rdi+64]", 0) \
	X(x87fprem, "fninit\n fild qword ptr [rdi+8]\n fild qword ptr [rdi]\n fprem\n fnstsw ax\n and eax, 0x4700\n fstp tbyte ptr [rdi+32]\n fstp st(0)", 0) \
	X(x87f32, "fld dword ptr [rdi]\n fld dword ptr [rdi+4]\n fmulp\n fst dword ptr [rdi+32]\n fstp qword ptr [rdi+40]", 0) \
	X(x87cmp, "fild qword ptr [rdi]\n fild qword ptr [rdi+8]\n fcompp\n fnstsw ax\n and eax, 0x4500", 0) \
	X(x87sqrt, "fild qword ptr [rdi]\n fabs\n fsqrt\n fstp tbyte ptr [rdi+32]\n fld qword ptr [rdi+8]\n fchs\n fstp qword ptr [rdi+48]", 0) \
	X(x87m80, "fld qword ptr [rdi]\n fstp tbyte ptr [rdi+32]\n fld tbyte ptr [rdi+32]\n fld1\n faddp\n fstp tbyte ptr [rdi+48]\n fldpi\n fldl2e\n fldln2\n fstp tbyte ptr [rdi+64]\n fstp tbyte ptr [rdi+80]\n fstp tbyte ptr [rdi+96]", 0) \
	X(x87env, "fninit\n fild qword ptr [rdi]\n fldz\n fld1\n fstp st(0)\n fnstenv [rdi+32]\n movzx eax, word ptr [rdi+32]\n movzx ecx, word ptr [rdi+36]\n movzx edx, word ptr [rdi+40]\n mov word ptr [rdi+32], 0x27f\n fldenv [rdi+32]\n fnstcw [rdi+64]\n fstp st(0)\n fstp st(0)\n mov qword ptr [rdi+32], 0\n mov qword ptr [rdi+40], 0\n mov qword ptr [rdi+48], 0\n mov dword ptr [rdi+56], 0\n fninit", 0) \
	X(x87xch, "fild qword ptr [rdi]\n fldz\n fxch\n fcomi st, st(1)\n fcmovb st, st(1)\n fstp qword ptr [rdi+32]\n fstp st(0)", 0)


// MXCSR: each operation starts from flags clear in rounding mode/DAZ/FTZ
// "mx" and its MXCSR (flags) is stored; the default is restored at the end.
#define MXSET(mx) "mov dword ptr [rdi+120], " mx "\n ldmxcsr [rdi+120]\n "
#define MXEND "\n mov dword ptr [rdi+120], 0x1f80\n ldmxcsr [rdi+120]"
#define MXSD(mx) MXSET(mx) "movq xmm0, rax\n movq xmm1, rbx\n movapd xmm2, xmm0\n addsd xmm2, xmm1\n stmxcsr [rdi+32]\n " \
	MXSET(mx) "movapd xmm3, xmm0\n mulsd xmm3, xmm1\n stmxcsr [rdi+36]\n " \
	MXSET(mx) "movapd xmm4, xmm0\n divsd xmm4, xmm1\n stmxcsr [rdi+40]\n " \
	MXSET(mx) "sqrtsd xmm5, xmm1\n stmxcsr [rdi+44]\n " \
	MXSET(mx) "movapd xmm6, xmm0\n subsd xmm6, xmm1\n stmxcsr [rdi+24]\n movq [rdi+16], xmm6\n " \
	"movq [rdi+48], xmm2\n movq [rdi+56], xmm3\n movq [rdi+64], xmm4\n movq [rdi+72], xmm5" MXEND
#define MXSS(mx) MXSET(mx) "movd xmm0, eax\n movd xmm1, ebx\n movaps xmm2, xmm0\n addss xmm2, xmm1\n stmxcsr [rdi+32]\n " \
	MXSET(mx) "movaps xmm3, xmm0\n mulss xmm3, xmm1\n stmxcsr [rdi+36]\n " \
	MXSET(mx) "movaps xmm4, xmm0\n divss xmm4, xmm1\n stmxcsr [rdi+40]\n " \
	MXSET(mx) "sqrtss xmm5, xmm1\n stmxcsr [rdi+44]\n " \
	MXSET(mx) "movaps xmm6, xmm0\n subss xmm6, xmm1\n stmxcsr [rdi+24]\n movd [rdi+16], xmm6\n " \
	"movd [rdi+48], xmm2\n movd [rdi+52], xmm3\n movd [rdi+56], xmm4\n movd [rdi+60], xmm5" MXEND
#define MXCVT(mx) MXSET(mx) "movq xmm0, rax\n cvtsd2ss xmm1, xmm0\n stmxcsr [rdi+32]\n movd [rdi+48], xmm1\n " \
	MXSET(mx) "cvtsd2si rcx, xmm0\n stmxcsr [rdi+36]\n " \
	MXSET(mx) "cvttsd2si edx, xmm0\n stmxcsr [rdi+40]\n " \
	MXSET(mx) "cvtsi2sd xmm2, rbx\n stmxcsr [rdi+44]\n movq [rdi+56], xmm2\n " \
	MXSET(mx) "cvtsi2ss xmm3, rbx\n stmxcsr [rdi+64]\n movd [rdi+68], xmm3\n " \
	MXSET(mx) "movd xmm4, ebx\n cvtss2sd xmm5, xmm4\n cvtss2si r8d, xmm4\n stmxcsr [rdi+72]\n movq [rdi+80], xmm5\n " \
	MXSET(mx) "movq xmm6, rbx\n comisd xmm0, xmm6\n stmxcsr [rdi+88]\n " \
	MXSET(mx) "ucomisd xmm0, xmm6\n stmxcsr [rdi+92]\n " \
	MXSET(mx) "minsd xmm6, xmm0\n stmxcsr [rdi+96]\n movq [rdi+104], xmm6" MXEND
#define X87RC(cw) "fnclex\n mov word ptr [rdi+120], " cw "\n fldcw [rdi+120]\n fild qword ptr [rdi]\n fild qword ptr [rdi+8]\n " \
	"fld st(1)\n fdiv st, st(1)\n fstp tbyte ptr [rdi+32]\n fld st(1)\n fmul st, st(1)\n fst qword ptr [rdi+48]\n fstp dword ptr [rdi+56]\n " \
	"fld st(1)\n fsubr st, st(1)\n fstp tbyte ptr [rdi+64]\n fld st(1)\n fadd qword ptr [rdi+8]\n fstp qword ptr [rdi+80]\n " \
	"fdivp st(1), st\n fld st(0)\n fsqrt\n fstp tbyte ptr [rdi+96]\n fistp qword ptr [rdi+112]\n " \
	"fnstsw ax\n and eax, 0x383f\n mov word ptr [rdi+120], 0x37f\n fldcw [rdi+120]\n fnclex"

#define MXLIST \
	X(mxsd, MXSD("0x1f80"), 0) X(mxsd_dn, MXSD("0x3f80"), 0) X(mxsd_up, MXSD("0x5f80"), 0) X(mxsd_z, MXSD("0x7f80"), 0) \
	X(mxsd_daz, MXSD("0x9fc0"), 0) X(mxss, MXSS("0x1f80"), 0) X(mxss_dn, MXSS("0x3f80"), 0) X(mxss_up, MXSS("0x5f80"), 0) \
	X(mxss_z, MXSS("0x7f80"), 0) X(mxss_daz, MXSS("0x9fc0"), 0) X(mxcvt, MXCVT("0x1f80"), 0) X(mxcvt_dn, MXCVT("0x3f80"), 0) \
	X(mxcvt_up, MXCVT("0x5f80"), 0) X(mxcvt_z, MXCVT("0x7f80"), 0) X(mxcvt_daz, MXCVT("0x9fc0"), 0) \
	X(x87rc, X87RC("0x37f"), 0) X(x87rc_dn, X87RC("0x77f"), 0) X(x87rc_up, X87RC("0xb7f"), 0) X(x87rc_z, X87RC("0xf7f"), 0) \
	X(x87pc53, X87RC("0x27f"), 0) X(x87pc24, X87RC("0x07f"), 0) X(x87pc24up, X87RC("0x87f"), 0) \
	X(x87st, "fnclex\n fild qword ptr [rdi]\n fild qword ptr [rdi+8]\n fmul st, st(0)\n fmul st, st(0)\n fmul st, st(0)\n fmul st, st(0)\n " \
		"fst dword ptr [rdi+32]\n fst qword ptr [rdi+40]\n fdivr st, st(1)\n fst dword ptr [rdi+48]\n fst qword ptr [rdi+56]\n " \
		"fmul st, st(0)\n fmul st, st(0)\n fmul st, st(0)\n fst qword ptr [rdi+64]\n fstp tbyte ptr [rdi+72]\n fstp st(0)\n fnstsw ax\n and eax, 0x383f\n fnclex", 0) \
	X(fxsave, "fninit\n fild qword ptr [rdi]\n fld1\n movq xmm0, rax\n lea rcx, [rsp-1024]\n and rcx, -16\n fxsave [rcx]\n " \
		"mov word ptr [rcx+6], 0\n mov qword ptr [rcx+8], 0\n movdqu xmm1, [rcx]\n movdqu [rdi+32], xmm1\n mov edx, [rcx+24]\n mov r8d, [rcx+28]\n movdqu xmm2, [rcx+32]\n movdqu [rdi+48], xmm2\n " \
		"movdqu xmm3, [rcx+160]\n movdqu [rdi+64], xmm3\n mov dword ptr [rcx+24], 0x3f80\n movq xmm0, rbx\n fstp st(0)\n fstp st(0)\n fxrstor [rcx]\n " \
		"movq [rdi+80], xmm0\n stmxcsr [rdi+88]\n fstp tbyte ptr [rdi+96]\n fstp st(0)\n mov dword ptr [rdi+120], 0x1f80\n ldmxcsr [rdi+120]\n xor ecx, ecx", 0)

// MMX: mm0 = rax, mm1 = rbx; results stored, then emms (the harness and
// the next case need an empty x87 stack).
#define MMX_IN "movq mm0, rax\n movq mm1, rbx\n "
#define MMX2(op) MMX_IN op " mm0, mm1\n movq [rdi+32], mm0\n movq [rdi+40], mm1\n emms"
#define MMXLIST \
	X(mpaddb, MMX2("paddb"), 0) X(mpsubw, MMX2("psubw"), 0) X(mpaddd, MMX2("paddd"), 0) X(mpaddq, MMX2("paddq"), 0) \
	X(mpcmpeqb, MMX2("pcmpeqb"), 0) X(mpcmpgtw, MMX2("pcmpgtw"), 0) X(mpminub, MMX2("pminub"), 0) X(mpmaxsw, MMX2("pmaxsw"), 0) \
	X(mpaddsb, MMX2("paddsb"), 0) X(mpsubusw, MMX2("psubusw"), 0) X(mpavgb, MMX2("pavgb"), 0) X(mpmullw, MMX2("pmullw"), 0) \
	X(mpmulhw, MMX2("pmulhw"), 0) X(mpmuludq, MMX2("pmuludq"), 0) X(mpmaddwd, MMX2("pmaddwd"), 0) X(mpsadbw, MMX2("psadbw"), 0) \
	X(mpxor, MMX2("pxor"), 0) X(mpandn, MMX2("pandn"), 0) X(mpor, MMX2("por"), 0) \
	X(mpacksswb, MMX2("packsswb"), 0) X(mpackuswb, MMX2("packuswb"), 0) X(mpackssdw, MMX2("packssdw"), 0) \
	X(mpunpcklbw, MMX2("punpcklbw"), 0) X(mpunpckhwd, MMX2("punpckhwd"), 0) X(mpunpckhdq, MMX2("punpckhdq"), 0) X(mpunpckldq, MMX2("punpckldq"), 0) \
	X(mpsllw, MMX_IN "psllw mm0, 3\n psrad mm1, 7\n movq [rdi+32], mm0\n movq [rdi+40], mm1\n emms", 0) \
	X(mpsrlq, MMX_IN "movq mm2, rcx\n psrlq mm0, mm2\n psraw mm1, mm2\n movq [rdi+32], mm0\n movq [rdi+40], mm1\n emms", 0) \
	X(mpshufw, MMX_IN "pshufw mm2, mm0, 0x1b\n pshufw mm3, [rdi+8], 0x93\n movq [rdi+32], mm2\n movq [rdi+40], mm3\n emms", 0) \
	X(mpmovmskb, MMX_IN "pmovmskb ecx, mm0\n pextrw edx, mm1, 2\n pinsrw mm0, ebx, 3\n movq [rdi+32], mm0\n emms", 0) \
	X(mmovd, MMX_IN "movd mm2, ebx\n movd ecx, mm0\n movd [rdi+36], mm1\n movq mm3, [rdi+4]\n movq [rdi+40], mm2\n movntq [rdi+48], mm3\n movq rdx, mm1\n emms", 0) \
	X(mmovq2dq, MMX_IN "movq2dq xmm0, mm0\n movq xmm1, rcx\n movdq2q mm3, xmm1\n movdqu [rdi+32], xmm0\n movq [rdi+48], mm3\n emms", 0) \
	X(mmaskmovq, MMX_IN "push rdi\n lea rdi, [rdi+40]\n maskmovq mm0, mm1\n pop rdi\n emms", 0) \
	X(mmxfpu, "fninit\n fild qword ptr [rdi]\n fld1\n " MMX_IN "paddb mm0, mm1\n fnstsw ax\n and eax, 0x3800\n fnstenv [rdi+64]\n movzx ecx, word ptr [rdi+72]\n and ecx, 0xf00f\n movq [rdi+32], mm0\n emms\n fnstenv [rdi+64]\n movzx edx, word ptr [rdi+72]\n mov qword ptr [rdi+64], 0\n mov qword ptr [rdi+72], 0\n mov qword ptr [rdi+80], 0\n mov dword ptr [rdi+88], 0\n fninit", 0)

#define LIST MMXLIST MXLIST X87LIST SSELIST \
	X(add64, "add rax, rbx", 0) X(add32, "add eax, ebx", 0) X(add16, "add ax, bx", 0) X(add8, "add al, bl", 0) \
	X(add8h, "add ah, bl", 0) X(addi64, "add rax, -100", 0) X(addi8, "add al, 0x7f", 0) \
	X(adc64, "adc rax, rbx", 0) X(adc32, "adc eax, ebx", 0) X(adc16, "adc ax, bx", 0) X(adc8, "adc al, bl", 0) \
	X(sub64, "sub rax, rbx", 0) X(sub32, "sub eax, ebx", 0) X(sub16, "sub ax, bx", 0) X(sub8, "sub al, bl", 0) \
	X(sbb64, "sbb rax, rbx", 0) X(sbb32, "sbb eax, ebx", 0) X(sbb16, "sbb ax, bx", 0) X(sbb8, "sbb al, bl", 0) \
	X(cmp64, "cmp rax, rbx", 0) X(cmp32, "cmp eax, ebx", 0) X(cmp16, "cmp ax, bx", 0) X(cmp8, "cmp al, bl", 0) \
	X(cmpi32, "cmp eax, 5", 0) X(cmpm64, "cmp qword ptr [rdi], rbx", 0) \
	X(and64, "and rax, rbx", 0x10) X(and32, "and eax, ebx", 0x10) X(and8, "and al, bl", 0x10) \
	X(or64, "or rax, rbx", 0x10) X(or16, "or ax, bx", 0x10) X(xor32, "xor eax, ebx", 0x10) X(xor8, "xor bh, al", 0x10) \
	X(test64, "test rax, rbx", 0x10) X(test8, "test al, bl", 0x10) X(testi32, "test eax, 0x80000001", 0x10) \
	X(inc64, "inc rax", 0) X(inc32, "inc eax", 0) X(inc8, "inc al", 0) X(dec64, "dec rax", 0) X(dec16, "dec ax", 0) \
	X(neg64, "neg rax", 0) X(neg32, "neg eax", 0) X(neg8, "neg al", 0) X(not64, "not rax", 0) X(not32, "not eax", 0) \
	X(addm32, "add dword ptr [rdi+4], ebx", 0) X(subm8, "sub byte ptr [rdi+1], bl", 0) X(incm16, "inc word ptr [rdi+2]", 0) \
	X(negm64, "neg qword ptr [rdi+8]", 0) X(xorm64, "xor rax, qword ptr [rdi+8]", 0x10) \
	X(shl64, "shl rax, cl", 0x810) X(shl32, "shl eax, cl", 0x810) X(shl16, "shl ax, cl", 0x810) X(shl8, "shl al, cl", 0x810) \
	X(shr64, "shr rax, cl", 0x810) X(shr32, "shr eax, cl", 0x810) X(shr16, "shr ax, cl", 0x810) X(shr8, "shr al, cl", 0x810) \
	X(sar64, "sar rax, cl", 0x810) X(sar32, "sar eax, cl", 0x810) X(sar16, "sar ax, cl", 0x810) X(sar8, "sar al, cl", 0x810) \
	X(shl1_64, "shl rax, 1", 0x10) X(shr1_32, "shr eax, 1", 0x10) X(sar1_8, "sar al, 1", 0x10) X(shl1_16, "shl ax, 1", 0x10) \
	X(shli64, "shl rax, 13", 0x810) X(shri32, "shr eax, 7", 0x810) X(sari64, "sar rax, 63", 0x810) \
	X(rol64, "rol rax, cl", 0x800) X(rol32, "rol eax, cl", 0x800) X(rol8, "rol al, cl", 0x800) X(ror64, "ror rax, cl", 0x800) \
	X(ror16, "ror ax, cl", 0x800) X(rol1_32, "rol eax, 1", 0) X(ror1_64, "ror rax, 1", 0) X(rori32, "ror eax, 9", 0x800) \
	X(rcl64, "rcl rax, cl", 0x800) X(rcl8, "rcl al, cl", 0x800) X(rcr32, "rcr eax, cl", 0x800) X(rcr16, "rcr ax, cl", 0x800) \
	X(rcl1_64, "rcl rax, 1", 0) X(rcr1_8, "rcr al, 1", 0) \
	X(shld64, "shld rax, rbx, cl", 0x810) X(shld32, "shld eax, ebx, cl", 0x810) X(shrd64, "shrd rax, rbx, cl", 0x810) \
	X(shrd32, "shrd eax, ebx, cl", 0x810) X(shldi64, "shld rax, rbx, 3", 0x810) X(shrdi32, "shrd eax, ebx, 1", 0x10) \
	X(mul64, "mul rbx", 0xd4) X(mul32, "mul ebx", 0xd4) X(mul16, "mul bx", 0xd4) X(mul8, "mul bl", 0xd4) \
	X(imul1_64, "imul rbx", 0xd4) X(imul1_32, "imul ebx", 0xd4) X(imul1_8, "imul bl", 0xd4) \
	X(imul2_64, "imul rax, rbx", 0xd4) X(imul2_32, "imul eax, ebx", 0xd4) X(imul2_16, "imul ax, bx", 0xd4) \
	X(imul3_64, "imul rax, rbx, -3", 0xd4) X(imul3_32, "imul eax, ebx, 1000", 0xd4) \
	X(bt64, "bt rax, rbx", 0x8d4) X(bts32, "bts eax, ebx", 0x8d4) X(btr64, "btr rax, rbx", 0x8d4) X(btc16, "btc ax, bx", 0x8d4) \
	X(bti64, "bt rax, 63", 0x8d4) X(btsi32, "bts eax, 5", 0x8d4) X(btm64, "and ebx, 255\n bts qword ptr [rdi+16], rbx", 0x8d4) X(btm64n, "or rbx, -256\n btc qword ptr [rdi+64], rbx", 0x8d4) \
	X(btrm32, "btr dword ptr [rdi+16], 3", 0x8d4) \
	X(bsf64, "bsf rax, rbx", 0x8d5) X(bsf32, "bsf eax, ebx", 0x8d5) X(bsr64, "bsr rax, rbx", 0x8d5) X(bsr16, "bsr ax, bx", 0x8d5) \
	\
	X(popcnt64, "popcnt rax, rbx", 0) X(popcnt32, "popcnt eax, ebx", 0) X(popcnt16, "popcnt ax, word ptr [rdi+8]", 0) \
	X(bswap64, "bswap rax", 0) X(bswap32, "bswap eax", 0) \
	X(cbw, "cbw", 0) X(cwde, "cwde", 0) X(cdqe, "cdqe", 0) X(cwd, "cwd", 0) X(cdq, "cdq", 0) X(cqo, "cqo", 0) \
	X(movzx8, "movzx eax, bl", 0) X(movzx16, "movzx rax, bx", 0) X(movsx8, "movsx rax, bl", 0) X(movsx16, "movsx eax, bx", 0) \
	X(movsxd, "movsxd rax, ebx", 0) X(movzxh, "movzx ecx, ah", 0) X(movsxm, "movsx rax, word ptr [rdi+6]", 0) \
	X(mov32, "mov eax, ebx", 0) X(mov16, "mov ax, bx", 0) X(mov8, "mov al, bl", 0) X(mov8h, "mov ah, bl", 0) \
	X(movm32, "mov dword ptr [rdi+3], eax", 0) X(movmi8, "mov byte ptr [rdi+9], 0x85", 0) \
	X(lea64, "lea rax, [rax+rbx*4-8]", 0) X(lea32, "lea eax, [rax+rbx*2+7]", 0) X(lea16, "lea ax, [rbx+rax]", 0) \
	X(xchg64, "xchg rax, rbx", 0) X(xchg8, "xchg al, bh", 0) X(xchgm32, "xchg dword ptr [rdi+4], eax", 0) \
	X(cmpxchg64, "cmpxchg rbx, rcx", 0) X(cmpxchg32, "cmpxchg dword ptr [rdi], ebx", 0) X(cmpxchg8, "cmpxchg bl, cl", 0) X(cmpxchg32r, "cmpxchg ebx, ecx", 0) X(cmpxchg16m, "lock cmpxchg word ptr [rdi+8], cx", 0) \
	X(cmpxchg8b, "mov rcx, rax\n lock cmpxchg8b qword ptr [rdi]", 0) X(lockadd, "lock add qword ptr [rdi], rbx\n lock inc dword ptr [rdi+12]\n lock btc qword ptr [rdi], 3", 0x8d4) \
	X(movnti, "movnti qword ptr [rdi+8], rax\n movq xmm0, rbx\n movntdq [rdi+32], xmm0", 0) \
	X(xadd64, "xadd rax, rbx", 0) X(xaddm32, "lock xadd dword ptr [rdi+4], ebx", 0) \
	X(cmovl32, "cmp rax, rbx\n cmovl eax, ebx", 0) X(cmovb64, "cmp rax, rbx\n cmovb rax, rbx", 0) \
	X(cmova16, "cmp al, bl\n cmova ax, bx", 0) X(cmovno, "add eax, ebx\n cmovno ecx, edx", 0) \
	X(setg, "cmp eax, ebx\n setg cl", 0x10) X(setle, "sub al, bl\n setle bh", 0) X(setp, "add al, bl\n setp cl", 0) \
	X(setbe, "cmp rax, rbx\n setbe dl", 0) X(setns, "test eax, ebx\n setns ch", 0x10) X(setc, "setc cl", 0) \
	X(seto, "seto cl\n setz dl\n sets bl\n setp bh", 0) \
	X(clc, "clc", 0) X(stc, "stc", 0) X(cmc, "cmc", 0) X(lahf, "lahf", 0) X(sahf, "mov ah, bl\n sahf", 0) \
	X(adcchain, "add rax, rbx\n adc rcx, rdx\n sbb rbx, rax", 0) \
	X(incfl, "add eax, ebx\n inc ecx", 0) X(decfl, "sub al, bl\n dec rdx", 0) \
	X(movsb, "movsb", 0) X(movsq, "movsq", 0) X(stosd, "stosd", 0) X(lodsw, "lodsw", 0) \
	X(cmpsb, "cmpsb", 0) X(scasq, "scasq", 0) \
	X(repstosb, "mov ecx, 37\n rep stosb", 0) X(repmovsq, "mov ecx, 3\n rep movsq", 0) \
	X(repecmpsb, "mov ecx, 20\n repe cmpsb", 0) X(repnescasb, "mov ecx, 30\n repne scasb", 0) \
	X(stdmovs, "add rsi, 15\n add rdi, 15\n mov ecx, 9\n std\n rep movsb\n cld", 0) \
	X(xlat, "mov r8, rbx\n mov rbx, rdi\n xlatb\n mov rbx, r8", 0) \
	X(pushpop, "push rax\n push rbx\n pop rcx\n pop rdx", 0) X(pushf, "pushfq\n pop rcx", 0) \
	X(popf, "and ebx, 0xcd5\n push rbx\n popfq", 0) X(leave, "push rbp\n mov rbp, rsp\n push rax\n leave", 0) \
	X(loop, "mov ecx, 5\n xor eax, eax\n 1: add eax, ebx\n loop 1b", 0) \
	X(jecxz, "jecxz 1f\n mov edx, 1\n 1: jrcxz 2f\n mov r8d, 1\n 2:", 0) \
	X(jcc, "cmp rax, rbx\n jl 1f\n mov ecx, 1\n 1: jbe 2f\n mov edx, 1\n 2:", 0) \
	X(shlflags, "shl rax, 13\n setc cl\n sets dl\n setz bl\n setp bh\n setbe r8b\n setnbe r9b", 0x810) \
	X(shl1flags, "shl ebx, 1\n seto cl\n setc dl\n setg r8b\n setle r9b", 0x10) \
	X(shrflags, "shr eax, 7\n setc cl\n setnz dl\n setnp bl\n sets bh", 0x810) \
	X(sar1flags, "sar ax, 1\n seto cl\n setc dl\n setl bl\n setae bh\n seta r8b", 0x10) \
	X(shladc, "shl rax, 1\n adc rbx, rdx\n sbb ecx, 3", 0) X(shrdec, "shr rax, 3\n dec rcx\n adc rdx, 0", 0) \
	X(sarsbb, "sar rax, 63\n sbb rbx, rdx", 0) X(shl8inc, "shl bl, 3\n inc al\n adc dl, 0", 0x10) \
	X(shlpushf, "shl rax, 1\n pushfq\n pop rcx\n and ecx, 0xfffffeef", 0x10) \
	X(shljcc, "shl eax, 1\n jo 1f\n mov ecx, 7\n 1: jc 2f\n mov edx, 9\n 2: jz 3f\n mov r8d, 1\n 3: jp 4f\n mov r9d, 1\n 4:", 0x10) \
	X(shrjnz, "shr rax, 40\n jnz 1f\n mov ecx, 7\n 1: ja 2f\n mov edx, 9\n 2:", 0x810) \
	X(shlm32, "shl dword ptr [rdi], 3\n setc cl\n setz dl", 0x810) X(sarm16, "sar word ptr [rdi+2], cl\n setnz r8b", 0x810) \
	X(addror, "add rax, rbx\n ror rax, 7", 0x800) X(subrol1, "sub eax, ebx\n rol eax, 1", 0) \
	X(shlror, "shl rax, 13\n ror rbx, 3", 0x810) X(rorrol, "add rax, rbx\n ror rax, 9\n rol rax, 1", 0) \
	X(roradc, "ror rax, 5\n adc rbx, rcx", 0) X(addroradc, "add ecx, edx\n ror rax, 5\n adc rbx, rcx", 0) \
	X(rolpushf, "add rax, rbx\n rol rax, 1\n pushfq\n pop rcx", 0) X(roreager, "rol rax, 1\n pushfq\n pop rcx", 0) \
	X(rorsetcc, "xor eax, ebx\n ror eax, 1\n seto cl\n setc dl\n sets bl\n setp bh\n setz r8b\n seta r9b", 0x10) \
	X(rorjcc, "sub rax, rbx\n ror rdx, 3\n jc 1f\n mov ecx, 7\n 1: jnz 2f\n mov r8d, 9\n 2: jp 3f\n mov r9d, 1\n 3: js 4f\n mov ebx, 1\n 4:", 0x800) \
	X(rorinc, "cmp rax, rbx\n ror rdx, 3\n inc rcx\n setc bl\n setz bh", 0x800) \
	X(rollahf, "add al, bl\n rol al, 3\n lahf", 0x800) X(rol8w, "add rax, rbx\n rol al, 8\n setc cl", 0x800) \
	X(ror16w, "test eax, ebx\n ror ax, 16\n setc cl\n setz dl", 0x810) X(rol32z, "add eax, ebx\n rol eax, 32\n setc cl", 0) \
	X(rorm64, "add rax, rbx\n ror qword ptr [rdi+8], 5\n setc cl\n setz dl", 0x800) \
	X(rolm8, "sub al, bl\n rol byte ptr [rdi+3], cl\n setc dl\n sets bh", 0x800) \
	X(rorcl, "or rax, rbx\n ror eax, cl\n setc dl\n setnz bh", 0x810) \
	X(rotcmov, "cmp rax, rbx\n rol rdx, 17\n cmovb rax, rdx\n cmovg rbx, rcx", 0x800)

#define X(id, text, undef) extern const char id##_s[], id##_e[];
LIST
#undef X

#define X(id, text, undef) \
	__asm__(".intel_syntax noprefix\n.text\n" #id "_s:\n" text "\n" #id "_e:\n ret\n.att_syntax prefix\n");
LIST
#undef X

struct tc {
	const char *name;
	const char *s, *e;
	unsigned undef;
};

static const struct tc table[] = {
#define X(id, text, undef) {#id, id##_s, id##_e, undef},
	LIST
#undef X
};

static const uint64_t vals[] = {
	0, 1, 2, 5, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
	0xffffffff, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL,
	0x123456789abcdef0ULL, 63, 64, 33, 17, 0xfedcba9876543210ULL,
};
#define NV (sizeof vals / sizeof vals[0])

static uint8_t mem[128] __attribute__((aligned(16)));

int main(void) {
	for (unsigned t = 0; t < sizeof table / sizeof table[0]; t++) {
		const struct tc *c = &table[t];
		for (unsigned i = 0; i < NV; i++)
			for (unsigned j = 0; j < NV; j++)
				for (int fl = 0; fl < 2; fl++) {
					uint64_t a = vals[i], b = vals[j];
					uint64_t fin = 0x202 | (fl ? 0x8d5 : 0);
					for (int k = 0; k < 128; k++) mem[k] = (uint8_t)(k * 7 + 1);
					memcpy(mem, &a, 8);
					memcpy(mem + 8, &b, 8);
					uint64_t st[9] = {a, b, b, ~a ^ (b << 3), (uint64_t)(mem + 64), (uint64_t)mem, a ^ b, a + b, fin};
					printf("%s ", c->name);
					for (const char *p = c->s; p < c->e; p++) printf("%02x", (uint8_t)*p);
					printf(" %x %llx", c->undef, (unsigned long long)fin);
					for (int k = 0; k < 8; k++) printf(" %llx", (unsigned long long)st[k]);
					run_case(st, (void (*)(void))c->s);
					st[4] -= (uint64_t)(mem + 64);
					st[5] -= (uint64_t)mem;
					for (int k = 0; k < 9; k++) printf(" %llx", (unsigned long long)st[k]);
					printf(" ");
					for (int k = 0; k < 128; k++) printf("%02x", mem[k]);
					printf("\n");
				}
	}
	return 0;
}
