package rsp

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Agent expressions (GDB manual, "Agent Expressions"): the stack-machine
// bytecode gdb sends with Z0/Z1 when the stub offers
// ConditionalBreakpoints+. A condition is evaluated when its breakpoint is
// reached; only a non-zero result stops the program. Registers and memory
// are read through the tracer. Tracing and trace-state-variable opcodes
// are not supported (an error, which reports the stop, as gdbserver does).

// Opcodes (gdbsupport/ax.def).
const (
	axAdd         = 0x02
	axSub         = 0x03
	axMul         = 0x04
	axDivSigned   = 0x05
	axDivUnsigned = 0x06
	axRemSigned   = 0x07
	axRemUnsigned = 0x08
	axLsh         = 0x09
	axRshSigned   = 0x0a
	axRshUnsigned = 0x0b
	axTrace       = 0x0c
	axTraceQuick  = 0x0d
	axLogNot      = 0x0e
	axBitAnd      = 0x0f
	axBitOr       = 0x10
	axBitXor      = 0x11
	axBitNot      = 0x12
	axEqual       = 0x13
	axLessSigned  = 0x14
	axLessUnsign  = 0x15
	axExt         = 0x16
	axRef8        = 0x17
	axRef16       = 0x18
	axRef32       = 0x19
	axRef64       = 0x1a
	axIfGoto      = 0x20
	axGoto        = 0x21
	axConst8      = 0x22
	axConst16     = 0x23
	axConst32     = 0x24
	axConst64     = 0x25
	axReg         = 0x26
	axEnd         = 0x27
	axDup         = 0x28
	axPop         = 0x29
	axZeroExt     = 0x2a
	axSwap        = 0x2b
	axTracenz     = 0x2f
	axTrace16     = 0x30
	axPick        = 0x32
	axRot         = 0x33
)

// Evaluation limits: a condition is untrusted input.
const (
	axMaxStack = 1024
	axMaxSteps = 100000
	axMaxLen   = 4096
)

var (
	errAxStack     = errors.New("agent expression: stack underflow or overflow")
	errAxTruncated = errors.New("agent expression: truncated instruction")
	errAxOpcode    = errors.New("agent expression: unsupported opcode")
	errAxDivZero   = errors.New("agent expression: division by zero")
	errAxJump      = errors.New("agent expression: jump out of the expression")
	errAxSteps     = errors.New("agent expression: too many steps")
	errAxNoEnd     = errors.New("agent expression: runs off the end")
)

// axEnv gives an expression access to the stopped program.
type axEnv interface {
	reg(n int) (uint64, error)
	mem(addr uint64, b []byte) error
}

// axOperandSize is the size of each opcode's inline operand; -1 marks an
// opcode the evaluator does not know.
var axOperandSize = func() [256]int8 {
	var t [256]int8
	for i := range t {
		t[i] = -1
	}
	for _, op := range []byte{axAdd, axSub, axMul, axDivSigned, axDivUnsigned, axRemSigned, axRemUnsigned,
		axLsh, axRshSigned, axRshUnsigned, axTrace, axLogNot, axBitAnd, axBitOr, axBitXor, axBitNot,
		axEqual, axLessSigned, axLessUnsign, axRef8, axRef16, axRef32, axRef64, axEnd, axDup, axPop,
		axSwap, axTracenz, axRot} {
		t[op] = 0
	}
	for _, op := range []byte{axTraceQuick, axExt, axConst8, axZeroExt, axPick} {
		t[op] = 1
	}
	for _, op := range []byte{axIfGoto, axGoto, axConst16, axReg, axTrace16} {
		t[op] = 2
	}
	t[axConst32] = 4
	t[axConst64] = 8
	return t
}()

// parseCondList parses the conditions of a Z packet: "X<len>,<hex>"
// items, concatenated. It checks that every instruction is complete and
// known and that jumps land on instruction boundaries.
func parseCondList(s string) ([][]byte, error) {
	var out [][]byte
	for s != "" {
		if s[0] != 'X' {
			return nil, fmt.Errorf("condition %q: %w", s, errMalformed)
		}
		lenPart, rest, found := cut(s[1:], ',')
		if !found {
			return nil, errMalformed
		}
		n, err := parseHex(lenPart)
		if err != nil || n == 0 || n > axMaxLen || uint64(len(rest)) < 2*n {
			return nil, errMalformed
		}
		code, err := decodeHexBytes(rest[:2*n])
		if err != nil {
			return nil, errMalformed
		}
		if err := checkAgentExpr(code); err != nil {
			return nil, err
		}
		out = append(out, code)
		s = rest[2*n:]
	}
	return out, nil
}

// checkAgentExpr validates the instruction stream statically.
func checkAgentExpr(code []byte) error {
	starts := make([]bool, len(code)+1)
	var jumps []int
	for pc := 0; pc < len(code); {
		starts[pc] = true
		op := code[pc]
		n, err := axInstrLen(code, pc)
		if err != nil {
			return err
		}
		if op == axGoto || op == axIfGoto {
			jumps = append(jumps, int(binary.BigEndian.Uint16(code[pc+1:])))
		}
		pc += n
	}
	for _, j := range jumps {
		if j >= len(code) || !starts[j] {
			return errAxJump
		}
	}
	return nil
}

// evalAgentExpr runs code and returns the value on top of the stack at
// "end".
func evalAgentExpr(code []byte, env axEnv) (int64, error) {
	return evalAgentExprOut(code, env, nil)
}

// evalAgentExprOut is evalAgentExpr for an expression that may print:
// with out non-nil (a breakpoint command), printf appends its output to
// *out and an empty stack at "end" yields 0; with out nil, printf is an
// error.
func evalAgentExprOut(code []byte, env axEnv, out *[]byte) (int64, error) {
	var stackBuf [32]int64
	stack := stackBuf[:0]
	pop := func() (int64, bool) {
		if len(stack) == 0 {
			return 0, false
		}
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		return v, true
	}
	push := func(v int64) bool {
		if len(stack) >= axMaxStack {
			return false
		}
		stack = append(stack, v)
		return true
	}
	for pc, steps := 0, 0; ; steps++ {
		if steps >= axMaxSteps {
			return 0, errAxSteps
		}
		if pc >= len(code) {
			return 0, errAxNoEnd
		}
		op := code[pc]
		ilen, err := axInstrLen(code, pc)
		if err != nil {
			return 0, err
		}
		var imm uint64
		if op != axPrintf {
			for _, c := range code[pc+1 : pc+ilen] {
				imm = imm<<8 | uint64(c)
			}
		}
		next := pc + ilen
		switch op {
		case axAdd, axSub, axMul, axDivSigned, axDivUnsigned, axRemSigned, axRemUnsigned,
			axLsh, axRshSigned, axRshUnsigned, axBitAnd, axBitOr, axBitXor,
			axEqual, axLessSigned, axLessUnsign:
			b, ok1 := pop()
			a, ok2 := pop()
			if !ok1 || !ok2 {
				return 0, errAxStack
			}
			v, err := axBinary(op, a, b)
			if err != nil {
				return 0, err
			}
			push(v)
		case axLogNot, axBitNot, axExt, axZeroExt:
			a, ok := pop()
			if !ok {
				return 0, errAxStack
			}
			switch op {
			case axLogNot:
				a = b2i(a == 0)
			case axBitNot:
				a = ^a
			case axExt:
				if imm > 0 && imm < 64 {
					sh := 64 - imm
					a = a << sh >> sh
				}
			case axZeroExt:
				if imm < 64 {
					a = int64(uint64(a) & (1<<imm - 1))
				}
			}
			push(a)
		case axRef8, axRef16, axRef32, axRef64:
			a, ok := pop()
			if !ok {
				return 0, errAxStack
			}
			n := 1 << (op - axRef8)
			var buf [8]byte
			if err := env.mem(uint64(a), buf[:n]); err != nil {
				return 0, fmt.Errorf("agent expression: read %d bytes at %#x: %w", n, uint64(a), err)
			}
			push(int64(binary.LittleEndian.Uint64(buf[:])))
		case axConst8, axConst16, axConst32, axConst64:
			if !push(int64(imm)) {
				return 0, errAxStack
			}
		case axReg:
			v, err := env.reg(int(imm))
			if err != nil {
				return 0, err
			}
			if !push(int64(v)) {
				return 0, errAxStack
			}
		case axIfGoto:
			a, ok := pop()
			if !ok {
				return 0, errAxStack
			}
			if a != 0 {
				next = int(imm)
			}
		case axGoto:
			next = int(imm)
		case axEnd:
			v, ok := pop()
			if !ok {
				if out != nil {
					return 0, nil
				}
				return 0, errAxStack
			}
			return v, nil
		case axPrintf:
			// nargs, format; stack: ... argN ... arg1 channel function
			if out == nil {
				return 0, errAxOpcode
			}
			nargs := int(code[pc+1])
			if len(stack) < nargs+2 {
				return 0, errAxStack
			}
			stack = stack[:len(stack)-2] // function and channel
			var argBuf [16]int64
			args := argBuf[:0]
			for i := 0; i < nargs; i++ {
				args = append(args, stack[len(stack)-1-i])
			}
			stack = stack[:len(stack)-nargs]
			format := string(code[pc+4 : pc+ilen-1])
			o, err := axFormat(*out, format, args, env)
			*out = o
			if err != nil {
				return 0, err
			}
		case axDup:
			if len(stack) == 0 || !push(stack[len(stack)-1]) {
				return 0, errAxStack
			}
		case axPop:
			if _, ok := pop(); !ok {
				return 0, errAxStack
			}
		case axSwap:
			if len(stack) < 2 {
				return 0, errAxStack
			}
			n := len(stack)
			stack[n-1], stack[n-2] = stack[n-2], stack[n-1]
		case axRot:
			if len(stack) < 3 {
				return 0, errAxStack
			}
			n := len(stack)
			// a b c => c a b
			a, b, c := stack[n-3], stack[n-2], stack[n-1]
			stack[n-3], stack[n-2], stack[n-1] = c, a, b
		case axPick:
			if int(imm) >= len(stack) || !push(stack[len(stack)-1-int(imm)]) {
				return 0, errAxStack
			}
		case axTrace, axTracenz:
			// Tracing collects nothing for a condition: addr size =>
			if _, ok := pop(); !ok {
				return 0, errAxStack
			}
			if _, ok := pop(); !ok {
				return 0, errAxStack
			}
		case axTraceQuick, axTrace16:
			if len(stack) == 0 {
				return 0, errAxStack
			}
		default:
			return 0, errAxOpcode
		}
		pc = next
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// axBinary applies a two-operand opcode to a (below) and b (top).
func axBinary(op byte, a, b int64) (int64, error) {
	switch op {
	case axAdd:
		return a + b, nil
	case axSub:
		return a - b, nil
	case axMul:
		return a * b, nil
	case axDivSigned, axRemSigned:
		if b == 0 {
			return 0, errAxDivZero
		}
		if b == -1 { // avoid the MinInt64 / -1 trap
			if op == axDivSigned {
				return -a, nil
			}
			return 0, nil
		}
		if op == axDivSigned {
			return a / b, nil
		}
		return a % b, nil
	case axDivUnsigned, axRemUnsigned:
		if b == 0 {
			return 0, errAxDivZero
		}
		if op == axDivUnsigned {
			return int64(uint64(a) / uint64(b)), nil
		}
		return int64(uint64(a) % uint64(b)), nil
	case axLsh:
		return int64(uint64(a) << (uint64(b) & 63)), nil
	case axRshSigned:
		return a >> (uint64(b) & 63), nil
	case axRshUnsigned:
		return int64(uint64(a) >> (uint64(b) & 63)), nil
	case axBitAnd:
		return a & b, nil
	case axBitOr:
		return a | b, nil
	case axBitXor:
		return a ^ b, nil
	case axEqual:
		return b2i(a == b), nil
	case axLessSigned:
		return b2i(a < b), nil
	case axLessUnsign:
		return b2i(uint64(a) < uint64(b)), nil
	}
	return 0, errAxOpcode
}

// tracerEnv evaluates expressions against a stopped thread.
type tracerEnv struct {
	s      *Session
	tid    int
	loaded bool
	block  []byte
}

func (e *tracerEnv) reg(n int) (uint64, error) {
	if n < 0 || n >= len(regTable) {
		return 0, fmt.Errorf("agent expression: register %d: %w", n, errMalformed)
	}
	if !e.loaded {
		r, err := e.s.loadRegs(e.tid)
		if err != nil {
			return 0, err
		}
		e.block, e.loaded = r.encode(), true
	}
	ri := regTable[n]
	var buf [8]byte
	copy(buf[:], e.block[ri.offset:ri.offset+min(ri.size, 8)])
	return binary.LittleEndian.Uint64(buf[:]), nil
}

func (e *tracerEnv) mem(addr uint64, b []byte) error { return e.s.t.ReadMem(addr, b) }
