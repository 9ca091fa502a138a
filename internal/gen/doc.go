// Package gen generates synthetic tenants for benchmarks and scale tests: a
// desired state (CUE files), the matching current state (callops-state/v1)
// differing from it by a chosen fraction (drift), and the PowerShell export
// that the current state would be imported from.
//
// Every generated number is valid for its region per libphonenumber, every
// object id is a GUID, and the current state keeps the service's invariants,
// so that lint finds no errors and plan sees only the drift. Output is a pure
// function of Options: the same seed gives the same bytes.
//
// Users are always written as lists inside their policy, never as one struct
// field per user: CUE's cost grows quadratically with the fields of one
// struct (DESIGN.md section 2). The package does no I/O except in the Write
// methods and never prints.
package gen
