package rsp

import (
	"bytes"
	"strings"
)

// Memory queries answered inside the stub: qCRC (gdb's compare-sections),
// qSearch:memory (gdb's find) and lldb's binary read "x".

// crcTable is the table of gdb's CRC-32 (libiberty's xcrc32: polynomial
// 0x04c11db7, most significant bit first, no final inversion).
var crcTable = func() [256]uint32 {
	var t [256]uint32
	for i := range t {
		c := uint32(i) << 24
		for j := 0; j < 8; j++ {
			if c&0x80000000 != 0 {
				c = c<<1 ^ 0x04c11db7
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

func crc32gdb(crc uint32, b []byte) uint32 {
	for _, c := range b {
		crc = crc<<8 ^ crcTable[byte(crc>>24)^c]
	}
	return crc
}

// memChunk is how much memory the stub reads at a time for qCRC/qSearch.
const memChunk = 64 * 1024

// maxScan bounds the memory one qCRC or qSearch may read.
const maxScan = 1 << 30

// qCRC answers "qCRC:<addr>,<len>" with "C<crc32>"; E01 when part of the
// range is unreadable.
func (s *Session) qCRC(arg string) response {
	addr, n, err := parseAddrLen(arg)
	if err != nil || s.exited || n > maxScan || addr+n < addr {
		return errReply
	}
	crc := uint32(0xffffffff)
	buf := make([]byte, min(n, memChunk))
	for n > 0 {
		chunk := buf[:min(n, uint64(len(buf)))]
		if s.t.ReadMem(addr, chunk) != nil {
			return errReply
		}
		crc = crc32gdb(crc, chunk)
		addr += uint64(len(chunk))
		n -= uint64(len(chunk))
	}
	return reply("C" + hexString(uint64(crc)))
}

// qSearchMemory answers "qSearch:memory:<addr>;<len>;<pattern>" (pattern
// binary, already unescaped): "1,<addr>" for the first match, "0" for
// none, E01 when memory in the range cannot be read.
func (s *Session) qSearchMemory(arg string) response {
	addrPart, rest, found1 := strings.Cut(arg, ";")
	lenPart, pattern, found2 := strings.Cut(rest, ";")
	if !found1 || !found2 || s.exited {
		return errReply
	}
	addr, err1 := parseHex(addrPart)
	n, err2 := parseHex(lenPart)
	if err1 != nil || err2 != nil || n > maxScan || addr+n < addr {
		return errReply
	}
	pat := []byte(pattern)
	if len(pat) == 0 || uint64(len(pat)) > n {
		return reply("0")
	}
	// Read overlapping windows so that a match across two reads is seen.
	keep := len(pat) - 1
	window := make([]byte, 0, memChunk+keep)
	base := addr // address of window[0]
	for done := uint64(0); done < n; {
		chunk := min(n-done, memChunk)
		got := s.readPartial(addr+done, int(chunk))
		window = append(window, got...)
		done += chunk
		if i := bytes.Index(window, pat); i >= 0 {
			return reply("1," + hexString(base+uint64(i)))
		}
		if uint64(len(got)) < chunk {
			return errReply // unreadable memory before a match
		}
		if len(window) > keep {
			drop := len(window) - keep
			base += uint64(drop)
			window = append(window[:0], window[drop:]...)
		}
	}
	return reply("0")
}

// readMemBinary answers lldb's "x<addr>,<len>" with the raw bytes
// (escaped); "x0,0" is lldb's probe and gets OK. gdb 16's flavour (a "b"
// prefix) is only used after binary-upload+, which is not offered.
func (s *Session) readMemBinary(arg string) response {
	addr, n, err := parseAddrLen(arg)
	if err != nil || s.exited {
		return errReply
	}
	if n == 0 {
		return ok
	}
	n = min(n, uint64(PacketSize/2-16)) // escaping may double it
	if addr+n < addr {
		n = -addr
	}
	data := s.readPartial(addr, int(n))
	if len(data) == 0 {
		return errReply
	}
	return replyBytes(appendEscaped(nil, data))
}
