package rsp

import "strings"

// monitor commands (qRcmd,<hex>): gdb's "monitor CMD". gdb's testsuite ends
// every gdbserver session with "monitor exit".

const monitorHelp = "The following monitor commands are supported:\n" +
	"  help -- show this text\n" +
	"  exit -- kill the program and end the session\n"

// monitor handles the hex-encoded command of qRcmd.
func (s *Session) monitor(hexCmd string) response {
	b, err := decodeHexBytes(hexCmd)
	if err != nil {
		return errReply
	}
	switch strings.TrimSpace(string(b)) {
	case "exit":
		return response{reply: []byte("OK"), after: afterKill}
	case "help":
		return response{output: []string{monitorHelp}, reply: []byte("OK")}
	}
	return response{output: []string{"Unknown monitor command.\n\n"}, reply: []byte("OK")}
}

// consoleOutput is an "O<hex text>" packet.
func consoleOutput(text string) []byte {
	return appendHexBytes([]byte{'O'}, []byte(text))
}
