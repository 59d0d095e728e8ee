module github.com/redox-gdbstub/redox-gdbstub

go 1.26.0

require (
	github.com/sirupsen/logrus v1.10.2 // indirect
	golang.org/x/arch v0.33.0 // indirect
	golang.org/x/sys v0.13.0 // indirect
)
