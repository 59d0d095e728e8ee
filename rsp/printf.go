package rsp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The agent-expression "printf" opcode (0x34), which gdb emits for a
// dprintf breakpoint under "set dprintf-style agent" (BreakpointCommands+).
// Its inline operands are the argument count (one byte), the length of
// the format string including its terminating NUL (two bytes, big-endian)
// and the format string itself. On the stack, from the top: the function
// and the channel (both ignored: the output goes to gdb's console), then
// the arguments, the first one nearest the top. The format string is the
// one the user typed, backslash escapes included.

const (
	axPrintf = 0x34

	axMaxPrintfOut = 64 << 10 // bytes one printf may produce
	axMaxString    = 4096     // bytes a %s may read from the guest
)

var errAxFormat = errors.New("agent expression: bad printf format")

// axInstrLen returns the length of the instruction at pc (opcode and
// operands), or an error if it is unknown or runs past the end.
func axInstrLen(code []byte, pc int) (int, error) {
	op := code[pc]
	if op == axPrintf {
		if pc+4 > len(code) {
			return 0, errAxTruncated
		}
		slen := int(binary.BigEndian.Uint16(code[pc+2:]))
		if slen == 0 || pc+4+slen > len(code) || code[pc+4+slen-1] != 0 {
			return 0, errAxTruncated
		}
		return 4 + slen, nil
	}
	size := int(axOperandSize[op])
	if size < 0 {
		return 0, fmt.Errorf("opcode %#x: %w", op, errAxOpcode)
	}
	if pc+1+size > len(code) {
		return 0, errAxTruncated
	}
	return 1 + size, nil
}

// axFormat formats args by the C format string format into out, reading
// %s strings from env's memory.
func axFormat(out []byte, format string, args []int64, env axEnv) ([]byte, error) {
	next := 0
	for i := 0; i < len(format); i++ {
		if len(out) > axMaxPrintfOut {
			return out, errAxFormat
		}
		c := format[i]
		if c == '\\' && i+1 < len(format) {
			i++
			if e, known := axEscapes[format[i]]; known {
				out = append(out, e)
			} else {
				out = append(out, '\\', format[i])
			}
			continue
		}
		if c != '%' {
			out = append(out, c)
			continue
		}
		// %[flags][width][.precision][length]conversion
		j := i + 1
		for j < len(format) && strings.IndexByte("-+ #0", format[j]) >= 0 {
			j++
		}
		width, j := axNumber(format, j)
		prec := 0
		if j < len(format) && format[j] == '.' {
			prec, j = axNumber(format, j+1)
		}
		spec := format[i+1 : j] // flags, width and precision
		if len(spec) > 16 || width > axMaxField || prec > axMaxField {
			return out, fmt.Errorf("%w: field too wide", errAxFormat)
		}
		lstart := j
		for j < len(format) && strings.IndexByte("hlLqjzt", format[j]) >= 0 {
			j++
		}
		if j >= len(format) {
			return out, errAxFormat
		}
		mod := format[lstart:j]
		long := strings.ContainsAny(mod, "lLqjzt")
		bits := 32 // int
		switch {
		case long:
			bits = 64
		case mod == "h":
			bits = 16
		case mod == "hh":
			bits = 8
		}
		verb := format[j]
		i = j
		if verb == '%' {
			out = append(out, '%')
			continue
		}
		if next >= len(args) {
			return out, fmt.Errorf("%w: more conversions than arguments", errAxFormat)
		}
		a := args[next]
		next++
		switch verb {
		case 'd', 'i':
			v := a << (64 - bits) >> (64 - bits)
			out = fmt.Appendf(out, "%"+spec+"d", v)
		case 'u', 'x', 'X', 'o':
			v := uint64(a) << (64 - bits) >> (64 - bits)
			if verb == 'u' {
				verb = 'd'
			}
			out = fmt.Appendf(out, "%"+spec+string(verb), v)
		case 'c':
			out = append(out, byte(a))
		case 'p':
			if a == 0 {
				out = append(out, "(nil)"...)
			} else {
				out = fmt.Appendf(out, "%#"+spec+"x", uint64(a))
			}
		case 's':
			if a == 0 {
				out = fmt.Appendf(out, "%"+spec+"s", "(null)")
				break
			}
			str, err := axReadString(env, uint64(a))
			if err != nil {
				return out, err
			}
			out = fmt.Appendf(out, "%"+spec+"s", str)
		case 'f', 'e', 'E', 'g', 'G':
			// gdb cannot fetch a floating-point value into the agent
			// (its bytecode compiler refuses double variables), but it
			// compiles an integer of the same size, e.g.
			// *(long *)&dblvar, and its own printf reads such an
			// argument's bytes as a double; so does this one. The L
			// modifier (long double) is read the same way: the agent
			// stack holds 64 bits.
			hasPrec := strings.IndexByte(spec, '.') >= 0
			out = appendCFloat(out, math.Float64frombits(uint64(a)), spec[:len(spec)-len(strings.TrimLeft(spec, "-+ #0"))],
				width, prec, hasPrec, verb)
		default:
			// %a, %n and the rest are not supported (gdb's printf
			// refuses %a and %F as well).
			return out, fmt.Errorf("%w: conversion %q", errAxFormat, verb)
		}
	}
	return out, nil
}

// axMaxField bounds a conversion's width and precision.
const axMaxField = 4096

// axNumber parses the decimal digits of s from i (at most 9 of them count)
// and returns their value and the index after them.
func axNumber(s string, i int) (int, int) {
	n, digits := 0, 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if digits < 9 {
			n = n*10 + int(s[i]-'0')
		}
		digits++
	}
	if digits > 9 {
		n = axMaxField + 1
	}
	return n, i
}

var axEscapes = map[byte]byte{'n': '\n', 't': '\t', '\\': '\\', '"': '"', '\'': '\'',
	'a': '\a', 'b': '\b', 'e': 0x1b, 'f': '\f', 'r': '\r', 'v': '\v'}

// axReadString reads a NUL-terminated string from the guest, at most
// axMaxString bytes.
func axReadString(env axEnv, addr uint64) (string, error) {
	var b []byte
	var chunk [64]byte
	for len(b) < axMaxString {
		// Read byte by byte across a page boundary, a chunk otherwise.
		n := len(chunk)
		if rem := 4096 - int(addr%4096); rem < n {
			n = rem
		}
		if err := env.mem(addr, chunk[:n]); err != nil {
			// Near the end of the readable memory: byte by byte.
			for n = 0; n < len(chunk); n++ {
				if err := env.mem(addr+uint64(n), chunk[n:n+1]); err != nil {
					return "", fmt.Errorf("agent expression: %%s at %#x: %w", addr+uint64(n), err)
				}
				if chunk[n] == 0 {
					return string(append(b, chunk[:n]...)), nil
				}
			}
		}
		if k := indexZero(chunk[:n]); k >= 0 {
			return string(append(b, chunk[:k]...)), nil
		}
		b = append(b, chunk[:n]...)
		addr += uint64(n)
	}
	return string(b[:axMaxString]), nil
}

func indexZero(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}

// appendCFloat formats v as C's printf does for %f, %e, %E, %g and %G
// with the given flags ("-+ #0"), width and precision (hasPrec: one was
// written), glibc's spelling of infinities and NaNs included ("inf",
// "-nan"), since gdb's own printf, which agent dprintf output must match,
// is the host C library's. Go's fmt differs in %g (shortest digits by
// default) and in the spelling of NaN and infinities, hence this.
func appendCFloat(out []byte, v float64, flags string, width, prec int, hasPrec bool, verb byte) []byte {
	has := func(f byte) bool { return strings.IndexByte(flags, f) >= 0 }
	sign := ""
	switch {
	case math.Signbit(v): // glibc prints the sign of a NaN too
		sign = "-"
	case has('+'):
		sign = "+"
	case has(' '):
		sign = " "
	}
	if !hasPrec {
		prec = 6
	}
	a := math.Abs(v)
	var body string
	zeroPad := has('0') && !has('-')
	switch {
	case math.IsInf(a, 0):
		body, zeroPad = "inf", false // C never pads these with zeros
	case math.IsNaN(a):
		body, zeroPad = "nan", false
	case verb == 'f':
		body = strconv.FormatFloat(a, 'f', prec, 64)
		if has('#') && prec == 0 {
			body += "."
		}
	case verb == 'e' || verb == 'E':
		body = cExp(a, prec, has('#'))
	default: // g, G
		p := prec
		if p == 0 {
			p = 1
		}
		// The exponent X that %e would print with P-1 digits decides:
		// %f with precision P-1-X when -4 <= X < P, else %e.
		e := strconv.FormatFloat(a, 'e', p-1, 64)
		x, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
		if x >= -4 && x < p {
			body = strconv.FormatFloat(a, 'f', p-1-x, 64)
			if has('#') && !strings.Contains(body, ".") {
				body += "."
			}
		} else {
			body = cExp(a, p-1, has('#'))
		}
		if !has('#') {
			body = trimFraction(body)
		}
	}
	if verb == 'E' || verb == 'G' {
		body = strings.ToUpper(body)
	}
	pad := width - len(sign) - len(body)
	switch {
	case pad <= 0:
		out = append(append(out, sign...), body...)
	case has('-'):
		out = append(append(out, sign...), body...)
		out = append(out, strings.Repeat(" ", pad)...)
	case zeroPad:
		out = append(out, sign...)
		out = append(out, strings.Repeat("0", pad)...)
		out = append(out, body...)
	default:
		out = append(out, strings.Repeat(" ", pad)...)
		out = append(append(out, sign...), body...)
	}
	return out
}

// cExp formats a (not negative) as C's %.{prec}e: strconv already writes
// at least two exponent digits; alt ('#') keeps the point when prec is 0.
func cExp(a float64, prec int, alt bool) string {
	s := strconv.FormatFloat(a, 'e', prec, 64)
	if alt && prec == 0 {
		i := strings.IndexByte(s, 'e')
		s = s[:i] + "." + s[i:]
	}
	return s
}

// trimFraction removes the trailing zeros of the fraction of a %g result,
// and the point if nothing is left after it, as C's %g does without '#'.
func trimFraction(s string) string {
	mant, exp := s, ""
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		mant, exp = s[:i], s[i:]
	}
	if strings.IndexByte(mant, '.') >= 0 {
		mant = strings.TrimRight(mant, "0")
		mant = strings.TrimSuffix(mant, ".")
	}
	return mant + exp
}
