package emu

// Memory is a paged guest address space. SKELETON: the EMU implementer replaces this file.
type Memory struct{}

func NewMemory() *Memory                                            { return &Memory{} }
func (m *Memory) Map(addr, size uint64, perm Perm) error            { panic("TODO") }
func (m *Memory) Unmap(addr, size uint64) error                     { panic("TODO") }
func (m *Memory) Protect(addr, size uint64, perm Perm) error        { panic("TODO") }
func (m *Memory) IsMapped(addr, size uint64) bool                   { panic("TODO") }
func (m *Memory) Regions() []Region                                 { panic("TODO") }
func (m *Memory) FindFree(size uint64, below uint64) (uint64, bool) { panic("TODO") }
func (m *Memory) ReadGuest(addr uint64, buf []byte) error           { panic("TODO") }
func (m *Memory) WriteGuest(addr uint64, buf []byte) error          { panic("TODO") }
func (m *Memory) ReadForce(addr uint64, buf []byte) error           { panic("TODO") }
func (m *Memory) WriteForce(addr uint64, buf []byte) error          { panic("TODO") }
func (m *Memory) SetBreakpoint(addr uint64)                         { panic("TODO") }
func (m *Memory) ClearBreakpoint(addr uint64)                       { panic("TODO") }
func (m *Memory) HasBreakpoint(addr uint64) bool                    { panic("TODO") }
