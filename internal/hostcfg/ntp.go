package hostcfg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"hostadm/internal/hostcfg/chronyconf"
	"hostadm/internal/hostcfg/timesyncdconf"
)

// Files of the NTP daemons.
const (
	ChronyConf    = "/etc/chrony/chrony.conf"
	ChronySources = "/etc/chrony/sources.d"
	// HostadmSources is the sources file hostadm owns when chrony.conf
	// includes the sources.d directory.
	HostadmSources = ChronySources + "/hostadm.sources"
	TimesyncdConf  = "/etc/systemd/timesyncd.conf"
	ntpLock        = "/run/hostadm/ntp.lck" // host.PrivateLock("ntp")
)

// Daemon names, as service IDs.
const (
	Chrony    = "chrony"
	Timesyncd = "systemd-timesyncd"
)

// ErrNoNTPDaemon is returned when neither chrony nor timesyncd is installed.
var ErrNoNTPDaemon = errors.New("no NTP daemon found (chrony or systemd-timesyncd)")

// NTPSource is a configured time source and the file it is in.
type NTPSource struct {
	chronyconf.Source
	File string `json:"file"`
}

// NTPInfo is the NTP configuration.
type NTPInfo struct {
	Daemon  string      `json:"daemon"`
	File    string      `json:"file"` // where hostadm writes
	Sources []NTPSource `json:"sources"`
}

// NTPDaemon tells which daemon is in use: chrony when its config exists,
// else systemd-timesyncd when its config or program exists.
func (s *Service) NTPDaemon() (string, error) {
	switch {
	case s.cfg.Root.Exists(ChronyConf):
		return Chrony, nil
	case s.cfg.Root.Exists(TimesyncdConf), s.cfg.Root.Exists("/lib/systemd/systemd-timesyncd"),
		s.cfg.Root.Exists("/usr/lib/systemd/systemd-timesyncd"):
		return Timesyncd, nil
	}
	return "", ErrNoNTPDaemon
}

// NTP reads the configured sources of the daemon in use.
func (s *Service) NTP(_ context.Context) (*NTPInfo, error) {
	d, err := s.NTPDaemon()
	if err != nil {
		return nil, err
	}
	info := &NTPInfo{Daemon: d, Sources: []NTPSource{}}
	if d == Timesyncd {
		info.File = TimesyncdConf
		f, err := s.timesyncd()
		if err != nil {
			return nil, err
		}
		for _, a := range f.NTP() {
			info.Sources = append(info.Sources, NTPSource{Source: chronyconf.Source{Type: "server", Address: a}, File: TimesyncdConf})
		}
		return info, nil
	}
	conf, err := s.chronyFile(ChronyConf)
	if err != nil {
		return nil, err
	}
	info.File = ChronyConf
	info.addSources(conf, ChronyConf)
	if conf.Includes(ChronySources) {
		f, err := s.chronyFile(HostadmSources)
		if err != nil {
			return nil, err
		}
		info.File = HostadmSources
		info.addSources(f, HostadmSources)
	}
	return info, nil
}

func (info *NTPInfo) addSources(f *chronyconf.File, file string) {
	for _, src := range f.Sources() {
		info.Sources = append(info.Sources, NTPSource{Source: src, File: file})
	}
}

func (s *Service) chronyFile(p string) (*chronyconf.File, error) {
	b, err := s.readFile(p)
	if err != nil {
		return nil, err
	}
	return chronyconf.Parse(bytes.NewReader(b))
}

func (s *Service) timesyncd() (*timesyncdconf.File, error) {
	b, err := s.readFile(TimesyncdConf)
	if err != nil {
		return nil, err
	}
	return timesyncdconf.Parse(bytes.NewReader(b))
}

// SetNTP writes the time sources of the daemon in use and returns the
// daemon (the caller restarts it). For chrony the sources go to hostadm's
// file in sources.d when chrony.conf includes that directory, else they
// replace the source lines of chrony.conf; the result is checked with
// `chronyd -p -f FILE` before it is written. For timesyncd servers and
// pools together become NTP= of timesyncd.conf.
func (s *Service) SetNTP(ctx context.Context, sources []chronyconf.Source) (string, error) {
	for _, src := range sources {
		if err := src.Check(); err != nil {
			return "", err
		}
	}
	d, err := s.NTPDaemon()
	if err != nil {
		return "", err
	}
	unlock, err := s.cfg.Root.Lock(ctx, ntpLock, lockWait)
	if err != nil {
		return "", err
	}
	defer unlock()
	if d == Timesyncd {
		return d, s.setTimesyncd(ctx, sources)
	}
	return d, s.setChrony(ctx, sources)
}

func (s *Service) setTimesyncd(ctx context.Context, sources []chronyconf.Source) error {
	old, err := s.readFile(TimesyncdConf)
	if err != nil {
		return err
	}
	f, err := timesyncdconf.Parse(bytes.NewReader(old))
	if err != nil {
		return err
	}
	var addrs []string
	for _, src := range sources {
		addrs = append(addrs, src.Address)
	}
	f.SetNTP(addrs)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	return s.writeFile(ctx, TimesyncdConf, old, buf.Bytes())
}

const sourcesHeader = "# Managed by hostadm (PUT /nodes/{node}/ntp): NTP sources for chrony.\n" +
	"# Changes made here are overwritten.\n"

func (s *Service) setChrony(ctx context.Context, sources []chronyconf.Source) error {
	target := ChronyConf
	old, err := s.readFile(target)
	if err != nil {
		return err
	}
	f, err := chronyconf.Parse(bytes.NewReader(old))
	if err != nil {
		return err
	}
	if f.Includes(ChronySources) {
		target = HostadmSources
		if old, err = s.readFile(target); err != nil {
			return err
		}
		src := old
		if len(old) == 0 {
			old, src = nil, []byte(sourcesHeader)
		}
		if f, err = chronyconf.Parse(bytes.NewReader(src)); err != nil {
			return err
		}
	}
	f.SetSources(sources)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	if err := s.checkChrony(ctx, buf.Bytes()); err != nil {
		return err
	}
	return s.writeFile(ctx, target, old, buf.Bytes())
}

// checkChrony has chronyd parse the new file (`chronyd -p -f FILE`); a
// host without chronyd skips the check.
func (s *Service) checkChrony(ctx context.Context, data []byte) error {
	dir := s.cfg.Root.Path("/run/hostadm")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("chrony check: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "chrony-check-*.conf")
	if err != nil {
		return fmt.Errorf("chrony check: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("chrony check: %w", err)
	}
	_, err = s.run(ctx, 10*time.Second, "chronyd", "-p", "-f", filepath.Clean(tmp.Name()))
	if notInstalled(err) {
		s.cfg.Logger.Warn("chronyd not installed; config not checked")
		return nil
	}
	if err != nil {
		return fmt.Errorf("chronyd refused the configuration: %w", err)
	}
	return nil
}
