package apt

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"hostadm/internal/host"
)

var pkgNameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][-+.a-z0-9:]+$`) })

// Changelog returns `apt-get changelog -qq -- name[=version]`; when apt
// fails the text ends with "RC: <code>". The timeout is 30 s, not
// Proxmox's 10 s: the changelog is fetched from the mirror, and a slow
// mirror or a loaded host should not turn a good answer into "RC: -1".
func (s *Service) Changelog(ctx context.Context, name, version string) (string, error) {
	if !pkgNameRe().MatchString(name) {
		return "", fmt.Errorf("invalid package name '%s'", name)
	}
	arg := name
	if version != "" {
		arg += "=" + version
	}
	c, err := s.aptCmd("apt-get", "changelog", "-qq", "--", arg)
	if err != nil {
		return "", err
	}
	c.Timeout = 30 * time.Second
	res, err := s.cfg.Runner.Run(ctx, c)
	out := string(res.Stdout) + string(res.Stderr)
	var ee *host.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.ExitCode > 0:
		out += fmt.Sprintf("RC: %d", ee.ExitCode)
	case errors.As(err, &ee):
		out += "RC: -1"
	default:
		return "", err
	}
	return out, nil
}
