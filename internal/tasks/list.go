package tasks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Entry is a task as the task list reports it. User is the user part of
// the auth id; tasks started by an API token also carry TokenID.
type Entry struct {
	UPID      string `json:"upid"`
	Node      string `json:"node"`
	PID       uint32 `json:"pid"`
	PStart    uint64 `json:"pstart"`
	StartTime int64  `json:"starttime"`
	Type      string `json:"type"`
	ID        string `json:"id"`
	User      string `json:"user"`
	TokenID   string `json:"tokenid,omitempty"`
	// EndTime is 0 while the task runs.
	EndTime int64 `json:"endtime,omitempty"`
	// Status is the raw status text: "OK", "WARNINGS: 2", an error
	// message, or "RUNNING" for a running task listed from the active file.
	Status string `json:"status,omitempty"`
	// Saved tells whether the task is already in the index. The list API
	// does not report it; /cluster/tasks does.
	Saved bool `json:"-"`
}

func (e *Entry) fill(upid string, u UPID) {
	e.UPID, e.Node, e.PID, e.PStart, e.StartTime = upid, u.Node, u.PID, u.PStart, u.StartTime
	e.Type, e.ID = u.Type, u.ID
	e.User, e.TokenID = SplitAuthID(u.User)
}

// Task list sources.
const (
	SourceArchive = "archive"
	SourceActive  = "active"
	SourceAll     = "all"
)

// Filter selects tasks for List, with the API's parameters.
type Filter struct {
	// Source is archive (the default when ""), active or all.
	Source string
	// Start skips this many matches; Limit returns at most this many. As
	// in Proxmox, Limit 0 returns no entries (the API's default of 50 is
	// the caller's); a negative Limit returns all.
	Start, Limit int
	// Errors keeps every task whose status is not OK and overrides
	// StatusFilter, a list of status classes (ok, warning, error, unknown).
	Errors       bool
	StatusFilter []string
	// TypeFilter and VMID match type and id exactly; UserFilter is a
	// case-insensitive substring of the user. Empty means no filter.
	TypeFilter, UserFilter, VMID string
	// Since and Until bound the start time, inclusive; 0 means unbounded.
	Since, Until int64
	// Visible is the caller's permission check; nil shows everything.
	Visible func(Entry) bool
	// Recent makes the active source list every entry of the active file,
	// also those already archived (the cluster task list shows them).
	Recent bool
}

// List returns the tasks matching f, newest first, and the number of all
// matches (the API's total). Filters apply in Proxmox's order: user filter,
// visibility, type, vmid, since/until, status; then paging.
func (m *Manager) List(f Filter) ([]Entry, int, error) {
	p := newPager(f)
	switch f.Source {
	case "", SourceArchive:
	case SourceActive, SourceAll:
		if err := m.listActive(p); err != nil {
			return nil, 0, err
		}
	default:
		return nil, 0, fmt.Errorf("invalid task source %q", f.Source)
	}
	if f.Source == SourceActive {
		return p.out, p.total, nil
	}
	m.cache.mu.Lock()
	defer m.cache.mu.Unlock()
	defer m.cache.sweep()
	for _, name := range []string{"index", "index.1"} {
		cf, err := m.cache.load(filepath.Join(m.cfg.Dir, name))
		if err != nil {
			return nil, 0, err
		}
		if cf != nil {
			p.offerFile(cf)
		}
	}
	if err := m.cache.saveErr; err != nil {
		m.cache.saveErr = nil
		m.cfg.Logger.Debug("task list: the index cache was not saved", "err", err)
	}
	return p.out, p.total, nil
}

// listActive offers the active file's not yet archived entries, after the
// maintenance Proxmox runs on each list (dead tasks are ended and archived).
func (m *Manager) listActive(p *pager) error {
	if err := m.updateActive(context.Background(), nil); err != nil {
		m.cfg.Logger.Warn("task list: active file maintenance failed", "err", err)
	}
	data, err := os.ReadFile(filepath.Join(m.cfg.Dir, "active"))
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("read active tasks: %w", err)
	}
	for _, a := range parseActive(data) {
		if a.saved && !p.f.Recent {
			continue
		}
		e := Entry{EndTime: a.endTime, Status: a.status, Saved: a.saved}
		e.fill(a.upid, a.u)
		// The status class is taken before "RUNNING" is filled in, so a
		// running task is of class unknown, as in Proxmox.
		if p.offer(&e) && e.Status == "" {
			p.out[len(p.out)-1].Status = "RUNNING"
		}
	}
	return nil
}

// pager applies a Filter to entries offered newest first.
type pager struct {
	f        Filter
	user     string // lowercased UserFilter
	classes  [numClasses]bool
	total    int
	out      []Entry
	limitOff bool
}

func newPager(f Filter) *pager {
	p := &pager{f: f, user: strings.ToLower(f.UserFilter), out: []Entry{}, limitOff: f.Limit < 0}
	for c := range p.classes {
		p.classes[c] = len(f.StatusFilter) == 0 || f.Errors
	}
	if f.Errors {
		p.classes[classOK] = false
	}
	for _, name := range f.StatusFilter {
		if c, ok := classByName(strings.ToLower(strings.TrimSpace(name))); ok && !f.Errors {
			p.classes[c] = true
		}
	}
	return p
}

// offerFile offers the records of an index file, newest (last) first.
// The tests on interned fields run before an Entry is built; as all
// filters are pure predicates, testing them in another order than the
// API's yields the same result.
func (p *pager) offerFile(cf *cachedFile) {
	f := &p.f
	typ, typOK := cf.lookup(f.TypeFilter)
	id, idOK := cf.lookup(f.VMID)
	if f.TypeFilter != "" && !typOK || f.VMID != "" && !idOK {
		return
	}
	users := p.userMatches(cf)
	for i := len(cf.recs) - 1; i >= 0; i-- {
		r := &cf.recs[i]
		if !p.classes[r.class] || f.TypeFilter != "" && r.typ != typ || f.VMID != "" && r.id != id ||
			f.Since != 0 && r.start < f.Since || f.Until != 0 && r.start > f.Until ||
			users != nil && !users[r.user] {
			continue
		}
		if f.Visible != nil {
			e := cf.entry(r)
			p.offer(&e)
			continue
		}
		// Every filter has been applied: count the match, and parse the
		// line only when it is on the page.
		if p.total++; p.onPage() {
			p.out = append(p.out, cf.entry(r))
		}
	}
}

// userMatches tells for each interned string whether it passes the user
// filter, or is nil without a user filter.
func (p *pager) userMatches(cf *cachedFile) []bool {
	if p.user == "" {
		return nil
	}
	ok := make([]bool, len(cf.strs))
	for i, s := range cf.strs {
		ok[i] = containsFold(s, p.user)
	}
	return ok
}

// offer counts e when it matches and keeps a copy when it is on the page.
// It reports whether e was kept.
func (p *pager) offer(e *Entry) bool {
	if !p.match(e) {
		return false
	}
	p.total++
	if !p.onPage() {
		return false
	}
	p.out = append(p.out, *e)
	return true
}

// onPage tells whether the match just counted belongs on the page.
func (p *pager) onPage() bool {
	return p.total > p.f.Start && (p.limitOff || len(p.out) < p.f.Limit)
}

func (p *pager) match(e *Entry) bool {
	f := &p.f
	switch {
	case p.user != "" && !containsFold(e.User, p.user),
		f.Visible != nil && !f.Visible(*e),
		f.TypeFilter != "" && e.Type != f.TypeFilter,
		f.VMID != "" && e.ID != f.VMID,
		f.Since != 0 && e.StartTime < f.Since,
		f.Until != 0 && e.StartTime > f.Until,
		!p.classes[classOf(e.Status)]:
		return false
	}
	return true
}

// containsFold reports whether s contains the lowercase string sub, ignoring
// case. ASCII is compared in place; other text is lowercased first.
func containsFold(s, sub string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.Contains(strings.ToLower(s), sub)
		}
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for j < len(sub) && lower(s[i+j]) == sub[j] {
			j++
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
