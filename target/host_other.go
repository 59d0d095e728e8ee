//go:build !linux

package target

import (
	"syscall"
	"time"
)

// osHost on a non-Linux host: the guest gets no host files (its open
// calls fail with ENOSYS) but runs, with the host clock.
type osHost struct{}

// NewOSHost returns the Host for this machine.
func NewOSHost() Host { return osHost{} }

func (osHost) Open(string, int, uint32) (HostFile, error) { return nil, syscall.ENOSYS }
func (osHost) Stat(string, bool) (Stat, error)            { return Stat{}, syscall.ENOSYS }
func (osHost) Readlink(string) (string, error)            { return "", syscall.ENOSYS }
func (osHost) Access(string, uint32) error                { return syscall.ENOSYS }
func (osHost) Getwd() (string, error)                     { return "/", nil }
func (osHost) Terminal(any, uint32, []byte) error         { return syscall.ENOTTY }
func (osHost) StatStream(any) (Stat, error)               { return Stat{}, syscall.ENOTSUP }
func (osHost) IDs() (int, int, int, int)                  { return 1000, 1000, 1000, 1000 }

func (osHost) Clock(id int) (int64, int64, error) {
	if id < 0 || id > 11 {
		return 0, 0, syscall.EINVAL
	}
	now := time.Now()
	return now.Unix(), int64(now.Nanosecond()), nil
}

func (osHost) Sleep(d time.Duration, cancel <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-cancel:
		return false
	}
}
