package phone

import (
	"runtime"
	"sync"
)

// Info is the result of parsing one number: the Number and Parse's error.
type Info struct {
	Number Number
	Err    error
}

// MaxCacheEntries bounds a Cache: once it holds this many numbers, further
// numbers are parsed but not remembered, so hostile input cannot grow memory
// without limit.
const MaxCacheEntries = 1 << 20

// Cache memoizes Parse. The zero Cache is ready to use and safe for concurrent
// use. Parse and ParseAll use a process-wide Cache.
type Cache struct {
	mu      sync.RWMutex
	entries map[string]Info
	// pending holds the numbers a ParseAll is parsing, each with a channel
	// closed when they are stored: a concurrent ParseAll or Parse waits for
	// them instead of parsing them again (the state's numbers and the
	// desired state's are mostly the same, and are parsed on different
	// goroutines at once).
	pending map[string]chan struct{}
}

var defaultCache Cache

// Parse is the package's Parse, memoized in c.
func (c *Cache) Parse(s string) (Number, error) {
	c.mu.RLock()
	in, ok := c.entries[s]
	wait := c.pending[s]
	c.mu.RUnlock()
	if ok {
		return in.Number, in.Err
	}
	if wait != nil {
		<-wait
		c.mu.RLock()
		in, ok = c.entries[s]
		c.mu.RUnlock()
		if ok {
			return in.Number, in.Err
		}
	}
	n, err := parse(s)
	c.store([]string{s}, []Info{{n, err}})
	return n, err
}

func (c *Cache) store(keys []string, infos []Info) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = make(map[string]Info, len(keys))
	}
	for i, k := range keys {
		if len(c.entries) >= MaxCacheEntries {
			return
		}
		c.entries[k] = infos[i]
	}
}

// Len returns the number of memoized numbers.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

// parallelThreshold is the number of unparsed numbers below which ParseAll
// does not start goroutines: for a handful of numbers they cost more than
// they save.
const parallelThreshold = 64

// ParseAll parses every distinct string of numbers once, in parallel across
// GOMAXPROCS goroutines, and returns the result for each. Numbers already in
// c are not parsed again.
func (c *Cache) ParseAll(numbers []string) map[string]Info {
	out := make(map[string]Info, len(numbers))
	var todo []string
	var waits []chan struct{}
	var waited []string
	done := make(chan struct{})
	c.mu.Lock()
	for _, s := range numbers {
		if _, seen := out[s]; seen {
			continue
		}
		if in, ok := c.entries[s]; ok {
			out[s] = in
			continue
		}
		out[s] = Info{} // placeholder: marks s as seen
		if w, ok := c.pending[s]; ok {
			waits = append(waits, w)
			waited = append(waited, s)
			continue
		}
		if c.pending == nil {
			c.pending = map[string]chan struct{}{}
		}
		c.pending[s] = done
		todo = append(todo, s)
	}
	c.mu.Unlock()
	if len(todo) > 0 {
		c.parseInto(todo, out)
	}
	close(done)
	for _, w := range waits {
		<-w
	}
	if len(waited) > 0 {
		var again []string
		c.mu.RLock()
		for _, s := range waited {
			if in, ok := c.entries[s]; ok {
				out[s] = in
			} else {
				again = append(again, s) // not stored: the cache is full
			}
		}
		c.mu.RUnlock()
		for _, s := range again {
			n, err := parse(s)
			out[s] = Info{n, err}
		}
	}
	return out
}

// parseInto parses todo, in parallel when it is long enough, stores the
// results in out and in c, and clears todo's pending marks.
func (c *Cache) parseInto(todo []string, out map[string]Info) {
	infos := make([]Info, len(todo))
	workers := runtime.GOMAXPROCS(0)
	if len(todo) < parallelThreshold || workers < 2 {
		for i, s := range todo {
			n, err := parse(s)
			infos[i] = Info{n, err}
		}
	} else {
		// Each worker takes a contiguous chunk and writes only its own
		// elements of infos, so no locking is needed.
		chunk := (len(todo) + workers - 1) / workers
		var wg sync.WaitGroup
		for lo := 0; lo < len(todo); lo += chunk {
			hi := min(lo+chunk, len(todo))
			wg.Add(1)
			go func(lo, hi int) {
				defer wg.Done()
				for i := lo; i < hi; i++ {
					n, err := parse(todo[i])
					infos[i] = Info{n, err}
				}
			}(lo, hi)
		}
		wg.Wait()
	}
	for i, s := range todo {
		out[s] = infos[i]
	}
	c.store(todo, infos)
	c.mu.Lock()
	for _, s := range todo {
		delete(c.pending, s)
	}
	c.mu.Unlock()
}

// ParseAll is Cache.ParseAll on the process-wide cache that Parse uses.
func ParseAll(numbers []string) map[string]Info {
	return defaultCache.ParseAll(numbers)
}

// CacheLen returns the number of numbers memoized by the process-wide cache
// that Parse and ParseAll use.
func CacheLen() int { return defaultCache.Len() }
