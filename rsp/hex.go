package rsp

import (
	"encoding/binary"
	"errors"
	"strconv"
)

// Hex helpers shared by the packet handlers.

var errMalformed = errors.New("malformed packet")

// parseHex parses a non-empty big-endian hex number (at most 64 bits).
func parseHex(s string) (uint64, error) {
	if s == "" || len(s) > 16 {
		return 0, errMalformed
	}
	v, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, errMalformed
	}
	return v, nil
}

// parseSignedHex parses hex with an optional leading '-'.
func parseSignedHex(s string) (int64, error) {
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg = true
		s = s[1:]
	}
	v, err := parseHex(s)
	if err != nil || v > 1<<62 {
		return 0, errMalformed
	}
	if neg {
		return -int64(v), nil
	}
	return int64(v), nil
}

// decodeHexBytes decodes a hex string of even length.
func decodeHexBytes(s string) ([]byte, error) {
	if len(s)%2 != 0 {
		return nil, errMalformed
	}
	out := make([]byte, len(s)/2)
	for i := range out {
		hi, ok1 := unhexDigit(s[2*i])
		lo, ok2 := unhexDigit(s[2*i+1])
		if !ok1 || !ok2 {
			return nil, errMalformed
		}
		out[i] = hi<<4 | lo
	}
	return out, nil
}

func appendHexBytes(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}

// appendHexLE64 appends v as 8 little-endian bytes in hex (target order).
func appendHexLE64(dst []byte, v uint64) []byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return appendHexBytes(dst, b[:])
}

func hexString(v uint64) string { return strconv.FormatUint(v, 16) }

// parseAddrLen parses "addr,len".
func parseAddrLen(s string) (addr, n uint64, err error) {
	a, l, ok := cut(s, ',')
	if !ok {
		return 0, 0, errMalformed
	}
	if addr, err = parseHex(a); err != nil {
		return 0, 0, err
	}
	if n, err = parseHex(l); err != nil {
		return 0, 0, err
	}
	return addr, n, nil
}

func cut(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
