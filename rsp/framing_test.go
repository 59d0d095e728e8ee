package rsp

import (
	"bytes"
	"testing"
)

func TestDecoder(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		kinds []frameKind
		pays  []string
	}{
		{"packet", "$qSupported#37", []frameKind{framePacket}, []string{"qSupported"}},
		{"acks and interrupt", "+-\x03", []frameKind{frameAck, frameNack, frameInterrupt}, nil},
		{"bad checksum", "$g#00", []frameKind{frameBad}, nil},
		{"bad checksum digits", "$g#zz", []frameKind{frameBad}, nil},
		{"escaped payload", "$X0,1:}]#" + checksum("X0,1:}]"), []frameKind{framePacket}, []string{"X0,1:}"}},
		{"dangling escape", "$a}#" + checksum("a}"), []frameKind{frameBad}, nil},
		{"restart inside packet", "$abc$g#67", []frameKind{framePacket}, []string{"g"}},
		{"0x03 inside packet is data", "$\x03#03", []frameKind{framePacket}, []string{"\x03"}},
		{"garbage ignored", "xyz$g#67", []frameKind{framePacket}, []string{"g"}},
		{"empty packet", "$#00", []frameKind{framePacket}, []string{""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fr := DecodePacket([]byte(tc.in))
			if len(fr) != len(tc.kinds) {
				t.Fatalf("got %d frames %+v, want %v", len(fr), fr, tc.kinds)
			}
			for i, f := range fr {
				if f.kind != tc.kinds[i] {
					t.Errorf("frame %d: kind %v, want %v", i, f.kind, tc.kinds[i])
				}
				if f.kind == framePacket && i < len(tc.pays) && string(f.payload) != tc.pays[i] {
					t.Errorf("frame %d: payload %q, want %q", i, f.payload, tc.pays[i])
				}
			}
		})
	}
}

func TestDecoderUpperCaseChecksum(t *testing.T) {
	p := "m0,1"
	sum := checksum(p)
	up := bytes.ToUpper([]byte(sum))
	fr := DecodePacket([]byte("$" + p + "#" + string(up)))
	if len(fr) != 1 || fr[0].kind != framePacket {
		t.Fatalf("upper-case checksum %s rejected: %+v", up, fr)
	}
}

func TestDecoderTooLong(t *testing.T) {
	big := bytes.Repeat([]byte{'a'}, maxPayload+10)
	in := append([]byte{'$'}, big...)
	in = append(in, '#', '0', '0')
	in = append(in, "$g#67"...)
	fr := DecodePacket(in)
	if len(fr) != 2 || fr[0].kind != frameBad || fr[1].kind != framePacket {
		t.Fatalf("got %+v", fr)
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	var all []byte
	for i := 0; i < 256; i++ {
		all = append(all, byte(i))
	}
	esc := appendEscaped(nil, all)
	for _, c := range []byte("#$*") {
		if bytes.IndexByte(esc, c) >= 0 {
			t.Errorf("escaped data still contains %q", c)
		}
	}
	back, err := unescape(esc)
	if err != nil || !bytes.Equal(back, all) {
		t.Fatalf("round trip failed: %v", err)
	}
	// And through a full packet.
	fr := DecodePacket(encodePacket(esc))
	if len(fr) != 1 || fr[0].kind != framePacket || !bytes.Equal(fr[0].payload, all) {
		t.Fatalf("packet round trip failed: %+v", fr)
	}
}

func TestEncodePacket(t *testing.T) {
	if got := string(encodePacket([]byte("OK"))); got != "$OK#9a" {
		t.Errorf("got %s", got)
	}
	if got := string(encodePacket(nil)); got != "$#00" {
		t.Errorf("got %s", got)
	}
}
