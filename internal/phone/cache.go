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
}

var defaultCache Cache

// Parse is the package's Parse, memoized in c.
func (c *Cache) Parse(s string) (Number, error) {
	c.mu.RLock()
	in, ok := c.entries[s]
	c.mu.RUnlock()
	if ok {
		return in.Number, in.Err
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
	c.mu.RLock()
	for _, s := range numbers {
		if _, done := out[s]; done {
			continue
		}
		if in, ok := c.entries[s]; ok {
			out[s] = in
			continue
		}
		out[s] = Info{} // placeholder: marks s as seen
		todo = append(todo, s)
	}
	c.mu.RUnlock()
	if len(todo) == 0 {
		return out
	}
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
	return out
}

// ParseAll is Cache.ParseAll on the process-wide cache that Parse uses.
func ParseAll(numbers []string) map[string]Info {
	return defaultCache.ParseAll(numbers)
}

// CacheLen returns the number of numbers memoized by the process-wide cache
// that Parse and ParseAll use.
func CacheLen() int { return defaultCache.Len() }
