package rsp

import "bytes"

// Memory packets: m (hex read), M (hex write), X (binary write).

const pageSize = 4096

// maxRead bounds one m reply (hex doubles the size) to the packet size.
const maxRead = (PacketSize - 16) / 2

// readMem answers "m<addr>,<len>". A read crossing into unmapped memory
// returns the mapped prefix; E01 when nothing is readable.
func (s *Session) readMem(arg string) response {
	addr, n, err := parseAddrLen(arg)
	if err != nil || s.exited {
		return errReply
	}
	if n > maxRead {
		n = maxRead
	}
	if n == 0 {
		return reply("")
	}
	if addr+n < addr {
		n = -addr // stop at the top of the address space
	}
	data := s.readPartial(addr, int(n))
	if len(data) == 0 {
		return errReply
	}
	return replyBytes(appendHexBytes(nil, data))
}

// readPartial reads as much of [addr, addr+n) as is mapped, page by page
// after a failed whole read.
func (s *Session) readPartial(addr uint64, n int) []byte {
	buf := make([]byte, n)
	if s.t.ReadMem(addr, buf) == nil {
		return buf
	}
	got := 0
	for got < n {
		a := addr + uint64(got)
		chunk := int(pageSize - a%pageSize)
		if chunk > n-got {
			chunk = n - got
		}
		if s.t.ReadMem(a, buf[got:got+chunk]) != nil {
			break
		}
		got += chunk
	}
	return buf[:got]
}

// writeMemHex handles "M<addr>,<len>:<hex>".
func (s *Session) writeMemHex(arg string) response {
	head, hexData, found := cut(arg, ':')
	if !found {
		return errReply
	}
	addr, n, err := parseAddrLen(head)
	if err != nil {
		return errReply
	}
	data, err := decodeHexBytes(hexData)
	if err != nil || uint64(len(data)) != n {
		return errReply
	}
	return s.writeMem(addr, data)
}

// writeMemBinary handles "X<addr>,<len>:<binary>" (already unescaped).
// "X<addr>,0:" is gdb's probe and succeeds.
func (s *Session) writeMemBinary(arg []byte) response {
	i := bytes.IndexByte(arg, ':')
	if i < 0 {
		return errReply
	}
	addr, n, err := parseAddrLen(string(arg[:i]))
	if err != nil {
		return errReply
	}
	data := arg[i+1:]
	if uint64(len(data)) != n {
		return errReply
	}
	return s.writeMem(addr, data)
}

func (s *Session) writeMem(addr uint64, data []byte) response {
	if len(data) == 0 {
		return ok
	}
	if s.exited || s.t.WriteMem(addr, data) != nil {
		return errReply
	}
	return ok
}
