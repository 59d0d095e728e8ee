module github.com/redox-gdbstub/redox-gdbstub

go 1.26.0

require (
	github.com/go-delve/delve v1.27.2
	github.com/sirupsen/logrus v1.10.2
	golang.org/x/arch v0.33.0
)

require golang.org/x/sys v0.46.0 // indirect
