package promdefer

// Pending is how many registrations are held back (for the tests only).
func Pending() int {
	held.mu.Lock()
	defer held.mu.Unlock()
	return len(held.pending)
}
