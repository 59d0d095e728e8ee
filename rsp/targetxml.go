package rsp

import (
	"fmt"
	"strings"
)

// The amd64 GNU/Linux target description served as target.xml: features
// org.gnu.gdb.i386.core, .sse, .linux (orig_rax, which gdb's amd64 Linux
// OS ABI requires) and .segments (fs_base, gs_base). Register numbers are
// the positions in the g block (regTable).

// targetXML is built once from regTable so the two cannot disagree.
var targetXML = buildTargetXML(false)

// targetXMLLLDB is the same description with lldb's attributes (see
// lldbRegAttrs), served to lldb only: gdb has no use for them.
var targetXMLLLDB = buildTargetXML(true)

func buildTargetXML(forLLDB bool) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
<architecture>i386:x86-64</architecture>
<osabi>GNU/Linux</osabi>
<feature name="org.gnu.gdb.i386.core">
<flags id="i386_eflags" size="4">
`)
	for _, f := range []struct {
		name string
		bit  int
	}{{"CF", 0}, {"", 1}, {"PF", 2}, {"AF", 4}, {"ZF", 6}, {"SF", 7}, {"TF", 8}, {"IF", 9},
		{"DF", 10}, {"OF", 11}, {"NT", 14}, {"RF", 16}, {"VM", 17}, {"AC", 18}, {"VIF", 19},
		{"VIP", 20}, {"ID", 21}} {
		fmt.Fprintf(&b, "<field name=\"%s\" start=\"%d\" end=\"%d\"/>\n", f.name, f.bit, f.bit)
	}
	b.WriteString("</flags>\n")
	reg := func(n int, typ, group string) {
		ri := regTable[n]
		fmt.Fprintf(&b, "<reg name=\"%s\" bitsize=\"%d\" type=\"%s\" regnum=\"%d\"", ri.name, ri.size*8, typ, n)
		switch {
		case forLLDB:
			b.WriteString(lldbRegAttrs(n))
		case group != "":
			fmt.Fprintf(&b, " group=\"%s\"", group)
		}
		b.WriteString("/>\n")
	}
	for n := 0; n <= 16; n++ {
		typ := "int64"
		switch n {
		case regRBP, regRSP:
			typ = "data_ptr"
		case regRIP:
			typ = "code_ptr"
		}
		reg(n, typ, "")
	}
	reg(17, "i386_eflags", "")
	for n := 18; n <= 23; n++ {
		reg(n, "int32", "")
	}
	for n := 24; n <= 31; n++ {
		reg(n, "i387_ext", "")
	}
	for n := 32; n <= 39; n++ {
		reg(n, "int", "float")
	}
	b.WriteString(`</feature>
<feature name="org.gnu.gdb.i386.sse">
<vector id="v8bf16" type="bfloat16" count="8"/>
<vector id="v8h" type="ieee_half" count="8"/>
<vector id="v4f" type="ieee_single" count="4"/>
<vector id="v2d" type="ieee_double" count="2"/>
<vector id="v16i8" type="int8" count="16"/>
<vector id="v8i16" type="int16" count="8"/>
<vector id="v4i32" type="int32" count="4"/>
<vector id="v2i64" type="int64" count="2"/>
<union id="vec128">
<field name="v8_bfloat16" type="v8bf16"/>
<field name="v8_half" type="v8h"/>
<field name="v4_float" type="v4f"/>
<field name="v2_double" type="v2d"/>
<field name="v16_int8" type="v16i8"/>
<field name="v8_int16" type="v8i16"/>
<field name="v4_int32" type="v4i32"/>
<field name="v2_int64" type="v2i64"/>
<field name="uint128" type="uint128"/>
</union>
<flags id="i386_mxcsr" size="4">
`)
	for _, f := range []struct {
		name string
		bit  int
	}{{"IE", 0}, {"DE", 1}, {"ZE", 2}, {"OE", 3}, {"UE", 4}, {"PE", 5}, {"DAZ", 6}, {"IM", 7},
		{"DM", 8}, {"ZM", 9}, {"OM", 10}, {"UM", 11}, {"PM", 12}, {"FZ", 15}} {
		fmt.Fprintf(&b, "<field name=\"%s\" start=\"%d\" end=\"%d\"/>\n", f.name, f.bit, f.bit)
	}
	b.WriteString("</flags>\n")
	for n := 40; n <= 55; n++ {
		reg(n, "vec128", "")
	}
	reg(56, "i386_mxcsr", "vector")
	b.WriteString("</feature>\n<feature name=\"org.gnu.gdb.i386.linux\">\n")
	reg(regOrigRAX, "int", "")
	b.WriteString("</feature>\n<feature name=\"org.gnu.gdb.i386.segments\">\n")
	reg(58, "int", "")
	reg(59, "int", "")
	b.WriteString("</feature>\n</target>\n")
	return []byte(b.String())
}
