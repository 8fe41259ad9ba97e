package apt

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"hostadm/internal/host"
)

var pkgNameRe = regexp.MustCompile(`^[a-z0-9][-+.a-z0-9:]+$`)

// Changelog returns `apt-get changelog -qq -- name[=version]` (10 s
// timeout); when apt fails the text ends with "RC: <code>".
func (s *Service) Changelog(ctx context.Context, name, version string) (string, error) {
	if !pkgNameRe.MatchString(name) {
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
	c.Timeout = 10 * time.Second
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
