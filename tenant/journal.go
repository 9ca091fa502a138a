package tenant

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// The journal, "<state>.journal", is JSON lines, each record written (and
// the begin, checkpoint and failed records synced: see journalWriter.write)
// before the step it announces goes on:
//
//	{"type":"begin","plan":ID,"lineage":L,"serial":S,"ops":[...],"time":T}
//	{"type":"intent","step":1}
//	{"type":"done","step":1}
//	{"type":"checkpoint","serial":S+1,"steps":1}
//	{"type":"failed","step":4,"error":"..."}
//
// "begin" names the state serial that covers no step; a "checkpoint" record
// is written before the state file with that serial is renamed into place,
// so whatever serial the state file has after a crash, one record says how
// many steps it covers. A state serial that no record names means the state
// was changed outside this apply: Pending reports it instead of guessing.
// Steps are 1-based. The journal is removed when the plan is finished.

// journalRecord is one line of the journal.
type journalRecord struct {
	Type    string    `json:"type"`
	Plan    string    `json:"plan,omitempty"`
	Lineage string    `json:"lineage,omitempty"`
	Serial  int64     `json:"serial,omitempty"`
	Ops     []Op      `json:"ops,omitempty"`
	Time    time.Time `json:"time,omitzero"`
	Step    int       `json:"step,omitempty"`
	Steps   int       `json:"steps,omitempty"`
	Error   string    `json:"error,omitempty"`
}

// Journal is an unfinished apply found beside a state file.
type Journal struct {
	PlanID  string
	Ops     []Op
	Started time.Time
	Lineage string
	// Done is the number of steps (from the first) the state file covers;
	// a resumed apply continues with Ops[Done].
	Done int
	// Serial is the state file's serial, which covers Done steps.
	Serial int64
	// Failed is the 1-based step that was refused or failed last, 0 when
	// none was; FailedError its error.
	Failed      int
	FailedError string
}

// ErrJournalPending is returned by Begin when an unfinished journal exists.
var ErrJournalPending = errors.New("an unfinished apply is journaled")

// JournalMismatchError reports a journal that does not belong to the state
// file beside it: another lineage, or a serial none of its records names.
type JournalMismatchError struct {
	Path    string
	PlanID  string
	Reason  string
	Lineage string
	Serial  int64
}

func (e *JournalMismatchError) Error() string {
	return fmt.Sprintf("journal %s of plan %s does not match the state file: %s", e.Path, e.PlanID, e.Reason)
}

func journalPath(path string) string { return path + ".journal" }

// journalWriter appends synced records to the journal.
type journalWriter struct {
	f *os.File
}

func createJournal(path string) (*journalWriter, error) {
	f, err := os.OpenFile(journalPath(path), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("creating journal: %w", err)
	}
	return &journalWriter{f: f}, nil
}

func appendJournal(path string) (*journalWriter, error) {
	f, err := os.OpenFile(journalPath(path), os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening journal: %w", err)
	}
	return &journalWriter{f: f}, nil
}

// write appends a record with one write(2), so that it survives a kill of
// the process at once. Records that later records depend on (begin,
// checkpoint, failed) are synced too, which makes every record before them
// durable against a power cut as well; intent and done records of the file
// backend are not synced on their own: the state they describe becomes
// durable only with the next checkpoint, whose record syncs them. (Syncing
// each of them cost 12 s of a 15 s, 3,000-step apply.)
func (w *journalWriter) write(r journalRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("journaling: %w", err)
	}
	if _, err := w.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("journaling: %w", err)
	}
	if r.Type == "intent" || r.Type == "done" {
		return nil
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("syncing journal: %w", err)
	}
	return nil
}

func (w *journalWriter) close() error { return w.f.Close() }

// readJournal reads the journal of path against the state snapshot s; it
// returns nil, nil when there is none.
func readJournal(path string, s *Snapshot) (*Journal, error) {
	jp := journalPath(path)
	data, err := os.ReadFile(jp)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading journal: %w", err)
	}
	lines := bytes.Split(data, []byte("\n"))
	// A line without its newline is a record a crash cut short: it was
	// never synced, so the step it announced never ran.
	lines = lines[:len(lines)-1]
	var j *Journal
	steps := map[int64]int{}
	for i, line := range lines {
		var r journalRecord
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("reading journal %s: line %d: %w", jp, i+1, err)
		}
		if j == nil {
			if r.Type != "begin" {
				return nil, fmt.Errorf("reading journal %s: line 1 is %q, want a begin record", jp, r.Type)
			}
			j = &Journal{PlanID: r.Plan, Ops: r.Ops, Started: r.Time, Lineage: r.Lineage}
			steps[r.Serial] = 0
			continue
		}
		switch r.Type {
		case "checkpoint":
			steps[r.Serial] = r.Steps
		case "failed":
			j.Failed, j.FailedError = r.Step, r.Error
		case "intent", "done":
		default:
			return nil, fmt.Errorf("reading journal %s: line %d: unknown record %q", jp, i+1, r.Type)
		}
	}
	if j == nil {
		// Begin was cut short: nothing ran.
		return nil, nil
	}
	if j.Lineage != s.Lineage {
		return nil, &JournalMismatchError{Path: jp, PlanID: j.PlanID, Lineage: s.Lineage, Serial: s.Serial,
			Reason: fmt.Sprintf("it was written for lineage %s, the state has lineage %s", j.Lineage, s.Lineage)}
	}
	done, ok := steps[s.Serial]
	if !ok {
		return nil, &JournalMismatchError{Path: jp, PlanID: j.PlanID, Lineage: s.Lineage, Serial: s.Serial,
			Reason: fmt.Sprintf("no checkpoint of the journal has the state's serial %d (was the state changed by hand?)", s.Serial)}
	}
	if done > len(j.Ops) {
		return nil, &JournalMismatchError{Path: jp, PlanID: j.PlanID, Lineage: s.Lineage, Serial: s.Serial,
			Reason: fmt.Sprintf("a checkpoint covers %d steps of a %d-step plan", done, len(j.Ops))}
	}
	j.Done, j.Serial = done, s.Serial
	return j, nil
}
