package tenant

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// MaxImportFileSize bounds each file of a PowerShell export callops reads.
const MaxImportFileSize = 1 << 30

// psObject is one object of a PowerShell export with its property names
// lower-cased: PowerShell compares property names case-insensitively, and
// ConvertTo-Json writes them as the object has them (PascalCase from the
// MicrosoftTeams module, camelCase from some REST-backed cmdlets).
type psObject map[string]any

// readExportFile reads one file of an export as a list of objects. It takes
// real output as it comes: a UTF-8 (or UTF-16, as Windows PowerShell 5.1's
// Out-File writes) byte order mark, null or an empty file (no objects), a
// single object where an array was expected, and Windows PowerShell's
// {"value": [...], "Count": n} wrapping of arrays. A syntax error names the
// line.
func readExportFile(path string) ([]psObject, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxImportFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxImportFileSize {
		return nil, fmt.Errorf("file is larger than %d MiB", MaxImportFileSize>>20)
	}
	return parseExport(data)
}

// parseExport is readExportFile on bytes.
func parseExport(data []byte) ([]psObject, error) {
	data, err := toUTF8(data)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, importJSONError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &ParseError{Line: lineOf(data, dec.InputOffset()), Msg: "trailing data after the JSON value"}
	}
	v = unwrapPSArray(v)
	switch t := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return []psObject{lowerKeys(t)}, nil
	case []any:
		out := make([]psObject, 0, len(t))
		for i, e := range t {
			switch o := e.(type) {
			case nil:
				// PowerShell writes $null elements for empty pipeline
				// results; they hold nothing.
			case map[string]any:
				out = append(out, lowerKeys(o))
			default:
				return nil, &ParseError{Msg: fmt.Sprintf("element %d is %s, not an object", i, jsonKind(e))}
			}
		}
		return out, nil
	}
	return nil, &ParseError{Msg: fmt.Sprintf("top-level value is %s, not an object or an array of objects", jsonKind(v))}
}

// toUTF8 strips a UTF-8 byte order mark and converts UTF-16 text (with its
// byte order mark) to UTF-8.
func toUTF8(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte("\xff\xfe")), bytes.HasPrefix(data, []byte("\xfe\xff")):
		le := data[0] == 0xff
		body := data[2:]
		if len(body)%2 != 0 {
			return nil, &ParseError{Msg: "UTF-16 text with an odd number of bytes"}
		}
		var b strings.Builder
		u := make([]uint16, 0, len(body)/2)
		for i := 0; i+1 < len(body); i += 2 {
			if le {
				u = append(u, uint16(body[i])|uint16(body[i+1])<<8)
			} else {
				u = append(u, uint16(body[i])<<8|uint16(body[i+1]))
			}
		}
		for _, r := range decodeUTF16(u) {
			b.WriteRune(r)
		}
		return []byte(b.String()), nil
	}
	return data, nil
}

func decodeUTF16(u []uint16) []rune {
	out := make([]rune, 0, len(u))
	for i := 0; i < len(u); i++ {
		c := rune(u[i])
		if c >= 0xd800 && c < 0xdc00 && i+1 < len(u) && u[i+1] >= 0xdc00 && u[i+1] < 0xe000 {
			out = append(out, (c-0xd800)<<10+(rune(u[i+1])-0xdc00)+0x10000)
			i++
			continue
		}
		out = append(out, c)
	}
	return out
}

func importJSONError(data []byte, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return &ParseError{Line: lineOf(data, se.Offset), Msg: "invalid JSON: " + se.Error()}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &ParseError{Line: bytes.Count(data, []byte("\n")) + 1, Msg: "unexpected end of JSON (truncated file?)"}
	}
	return &ParseError{Msg: "invalid JSON: " + err.Error()}
}

// unwrapPSArray undoes Windows PowerShell 5.1's serialisation of some arrays
// as {"value": [...], "Count": n}.
func unwrapPSArray(v any) any {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 2 {
		return v
	}
	var val any
	var hasVal, hasCount bool
	for k, x := range m {
		switch strings.ToLower(k) {
		case "value":
			val, hasVal = x, true
		case "count":
			hasCount = true
		}
	}
	if _, isList := val.([]any); hasVal && hasCount && isList {
		return val
	}
	return v
}

func lowerKeys(m map[string]any) psObject {
	o := make(psObject, len(m))
	for k, v := range m {
		lk := strings.ToLower(k)
		if _, dup := o[lk]; dup && k != lk {
			// Keep the first spelling seen only when it is the exact
			// lower-case one; otherwise the last wins, as in PowerShell.
			continue
		}
		o[lk] = v
	}
	return o
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// str returns the first of the named properties that is present and not
// null, as a string: strings as they are, numbers in decimal, booleans as
// True/False, and objects by their Name, Identity or Value property (Windows
// PowerShell serialises some typed values as objects). ok is false when no
// property is present.
func (o psObject) str(names ...string) (string, bool) {
	for _, n := range names {
		v, present := o[n]
		if !present || v == nil {
			continue
		}
		if s, ok := scalarString(v); ok {
			return strings.TrimSpace(s), true
		}
	}
	return "", false
}

func scalarString(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		if t {
			return "True", true
		}
		return "False", true
	case map[string]any:
		o := lowerKeys(t)
		for _, k := range []string{"name", "identity", "value", "id"} {
			if x, ok := o[k]; ok && x != nil {
				return scalarString(x)
			}
		}
	}
	return "", false
}

// boolean reads a boolean property given as JSON true/false, "True"/"False"
// or 0/1.
func (o psObject) boolean(name string) (bool, bool) {
	switch t := o[name].(type) {
	case bool:
		return t, true
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(t))
		return b, err == nil
	case json.Number:
		n, err := t.Int64()
		return n != 0, err == nil
	}
	return false, false
}

// integer reads an integer property given as a number or a string.
func (o psObject) integer(name string) (int, bool) {
	switch t := o[name].(type) {
	case json.Number:
		n, err := t.Int64()
		return int(n), err == nil
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(t))
		return n, err == nil
	}
	return 0, false
}

// list reads a list property: a JSON array, a single value, Windows
// PowerShell's {"value": [...]} wrapping, or a string of values separated by
// commas or spaces (how a collection prints when it was stringified).
func (o psObject) list(name string) []any {
	v := unwrapPSArray(o[name])
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		return t
	case string:
		f := strings.FieldsFunc(t, func(r rune) bool { return r == ',' || r == ' ' || r == '{' || r == '}' })
		out := make([]any, len(f))
		for i, s := range f {
			out[i] = s
		}
		return out
	}
	return []any{v}
}
