package metrics

import "hostadm/internal/metrics/wire"

// blockstatFields is what Perl's Filesys::Df df('/', 1) returns (sizes in
// bytes), including its backwards-compatible user_ and su_ keys. It returns
// nil where df returns nothing (a file system without blocks).
func blockstatFields(v VFSStat) []wire.Field {
	if v.Frsize == 0 || v.Blocks == 0 {
		return nil
	}
	blocks, bfree, bavail := v.Blocks*v.Frsize, v.Bfree*v.Frsize, v.Bavail*v.Frsize
	used := blocks - min(bfree, blocks)
	f := make([]wire.Field, 0, 20)
	f = append(f, wire.Uint("blocks", blocks), wire.Uint("bfree", bfree), wire.Uint("bavail", bavail),
		wire.Uint("used", used), wire.Uint("user_bavail", bavail), wire.Uint("su_bavail", bfree),
		wire.Uint("su_blocks", blocks))
	userBlocks, userUsed, per, ok := dfShare(blocks, bfree, bavail)
	f = append(f, wire.Int("per", per))
	if ok {
		f = append(f, wire.Uint("user_blocks", userBlocks), wire.Uint("user_used", userUsed))
	}
	if v.Files > 0 {
		userFiles, userFused, fper, _ := dfShare(v.Files, v.Ffree, v.Favail)
		f = append(f, wire.Int("fper", fper), wire.Uint("files", v.Files), wire.Uint("ffree", v.Ffree),
			wire.Uint("favail", v.Favail), wire.Uint("fused", v.Files-min(v.Ffree, v.Files)),
			wire.Uint("user_fused", userFused), wire.Uint("user_files", userFiles),
			wire.Uint("su_favail", v.Ffree), wire.Uint("su_files", v.Files), wire.Uint("user_favail", v.Favail))
	}
	return f
}

// dfShare is Filesys::Df's share of the total the user may fill: with a
// root reserve (free > avail) the user's total excludes it. ok is false
// where df leaves user_blocks undefined (no reserve and nothing used); for
// inodes df then sets them to the totals, which userTotal and userUsed
// already are.
func dfShare(total, free, avail uint64) (userTotal, userUsed uint64, per int64, ok bool) {
	used := total - min(free, total)
	var frac float64
	switch {
	case free > avail:
		userTotal = total - (free - avail)
		userUsed = userTotal - min(avail, userTotal)
		if userUsed > 0 {
			frac = float64(userUsed) / float64(userTotal)
		}
		ok = true
	case used > 0:
		frac = float64(used) / float64(total)
		userTotal, userUsed, ok = total, used, true
	default:
		userTotal, userUsed = total, used
	}
	return userTotal, userUsed, int64(frac*100 + 0.5), ok
}
