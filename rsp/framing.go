package rsp

import (
	"errors"
	"fmt"
)

// Framing of the remote protocol: "$payload#cs" packets with a modulo-256
// checksum, '+'/'-' acknowledgements, the 0x03 interrupt byte, and '}'
// escaping of binary data. The client never run-length encodes what it
// sends, so RLE is not decoded; the stub run-length encodes its replies
// (encodeRLE), as gdbserver does.

// PacketSize is the largest packet (payload and framing) the stub accepts;
// it is advertised in qSupported.
const PacketSize = 0x20000

// maxPayload bounds what the decoder buffers: a longer packet is discarded
// and answered with '-' rather than growing without limit.
const maxPayload = PacketSize + 64

const interruptByte = 0x03

type frameKind int

const (
	frameAck       frameKind = iota // '+'
	frameNack                       // '-'
	frameInterrupt                  // 0x03 outside a packet
	framePacket                     // a well-formed packet
	frameBad                        // a packet with a bad checksum, bad escape or too long
	frameEOF                        // the connection ended (reader side only)
)

func (k frameKind) String() string {
	switch k {
	case frameAck:
		return "ack"
	case frameNack:
		return "nack"
	case frameInterrupt:
		return "interrupt"
	case framePacket:
		return "packet"
	case frameBad:
		return "bad"
	case frameEOF:
		return "eof"
	}
	return fmt.Sprintf("frameKind(%d)", int(k))
}

// frame is one unit read from the client. For framePacket, payload is the
// unescaped payload; for frameBad, err says what was wrong and badSum
// whether only the checksum was wrong (payload is then still filled in).
type frame struct {
	kind    frameKind
	payload []byte
	err     error
	badSum  bool
}

type decodeState int

const (
	stateIdle decodeState = iota
	statePayload
	stateSum1
	stateSum2
)

// Decoder turns the client's byte stream into frames, one byte at a time,
// so that the reader can notice 0x03 between packets.
type Decoder struct {
	state    decodeState
	buf      []byte
	sum      byte // running checksum of the payload
	want     byte // checksum digits received
	overflow bool
}

var (
	errChecksum = errors.New("bad checksum")
	errTooLong  = errors.New("packet too long")
	errEscape   = errors.New("bad escape")
	errHex      = errors.New("bad checksum digits")
)

// Feed consumes one byte. It returns a frame when the byte completes one.
// Bytes outside packets other than '+', '-', '$' and 0x03 are ignored.
func (d *Decoder) Feed(c byte) (frame, bool) {
	switch d.state {
	case stateIdle:
		switch c {
		case '+':
			return frame{kind: frameAck}, true
		case '-':
			return frame{kind: frameNack}, true
		case interruptByte:
			return frame{kind: frameInterrupt}, true
		case '$':
			d.start()
		}
		return frame{}, false
	case statePayload:
		switch c {
		case '#':
			d.state = stateSum1
		case '$':
			// A new packet start inside a packet: the client gave up
			// on the previous one; start over.
			d.start()
		default:
			d.sum += c
			if len(d.buf) >= maxPayload {
				d.overflow = true
			} else {
				d.buf = append(d.buf, c)
			}
		}
		return frame{}, false
	case stateSum1:
		v, ok := unhexDigit(c)
		if !ok {
			d.state = stateIdle
			return frame{kind: frameBad, err: errHex}, true
		}
		d.want = v << 4
		d.state = stateSum2
		return frame{}, false
	default: // stateSum2
		d.state = stateIdle
		v, ok := unhexDigit(c)
		if !ok {
			return frame{kind: frameBad, err: errHex}, true
		}
		d.want |= v
		if d.overflow {
			return frame{kind: frameBad, err: errTooLong}, true
		}
		payload, err := unescape(d.buf)
		if err != nil {
			return frame{kind: frameBad, err: err}, true
		}
		if d.want != d.sum {
			return frame{kind: frameBad, err: errChecksum, payload: payload, badSum: true}, true
		}
		return frame{kind: framePacket, payload: payload}, true
	}
}

func (d *Decoder) start() {
	d.state = statePayload
	d.buf = d.buf[:0]
	d.sum = 0
	d.overflow = false
}

// DecodePacket decodes the frames in data (a complete byte stream) and
// returns them; it is the entry point of FuzzDecodePacket.
func DecodePacket(data []byte) []frame {
	var d Decoder
	var out []frame
	for _, c := range data {
		if f, ok := d.Feed(c); ok {
			out = append(out, f)
		}
	}
	return out
}

// unescape removes '}' escapes (the byte after '}' is XORed with 0x20) into
// a fresh slice.
func unescape(b []byte) ([]byte, error) {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '}' {
			i++
			if i == len(b) {
				return nil, errEscape
			}
			c = b[i] ^ 0x20
		}
		out = append(out, c)
	}
	return out, nil
}

// appendEscaped appends src to dst escaping the bytes that cannot appear
// raw in a packet: '#', '$', '}' and '*' (which gdb reads as RLE).
func appendEscaped(dst, src []byte) []byte {
	for _, c := range src {
		switch c {
		case '#', '$', '}', '*':
			dst = append(dst, '}', c^0x20)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// encodePacket frames an already escaped payload: "$payload#cs".
func encodePacket(payload []byte) []byte {
	out := make([]byte, 0, len(payload)+4)
	out = append(out, '$')
	var sum byte
	for _, c := range payload {
		sum += c
	}
	out = append(out, payload...)
	return append(out, '#', hexDigits[sum>>4], hexDigits[sum&15])
}

const hexDigits = "0123456789abcdef"

func unhexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// encodeRLE run-length encodes an (escaped) payload: a run of 4 or more
// equal bytes c becomes "c*N", N = 29 + the number of repeats after the
// first (3..97). N is never '#' or '$' (not allowed), nor '+' or '-'
// (kept clear of acknowledgements); a shorter run is used instead. An
// escape pair ("}x") is never part of a run.
func encodeRLE(src []byte) []byte {
	out := make([]byte, 0, len(src))
	for i := 0; i < len(src); {
		c := src[i]
		if c == '}' && i+1 < len(src) {
			out = append(out, c, src[i+1])
			i += 2
			continue
		}
		run := 1
		for i+run < len(src) && src[i+run] == c && run < 98 {
			run++
		}
		if run < 4 || c == '*' || c == '#' || c == '$' {
			out = append(out, c)
			i++
			continue
		}
		extra := run - 1
		for n := byte(extra + 29); n == '#' || n == '$' || n == '+' || n == '-'; n = byte(extra + 29) {
			extra--
		}
		out = append(out, c, '*', byte(extra+29))
		i += extra + 1
	}
	return out
}

// decodeRLE expands "c*N" runs (for tests and tools reading the stub's
// replies).
func decodeRLE(src []byte) ([]byte, error) {
	out := make([]byte, 0, len(src))
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c != '*' {
			out = append(out, c)
			continue
		}
		if len(out) == 0 || i+1 == len(src) || src[i+1] < 29+3 {
			return nil, errRLE
		}
		i++
		prev := out[len(out)-1]
		for n := int(src[i]) - 29; n > 0; n-- {
			out = append(out, prev)
		}
	}
	return out, nil
}

var errRLE = errors.New("bad run-length encoding")
