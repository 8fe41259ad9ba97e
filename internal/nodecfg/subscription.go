package nodecfg

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"hostadm/internal/cfs"
)

// ShopURL is where Proxmox sells subscriptions; GET subscription always
// names it, as Proxmox does.
const ShopURL = "https://www.proxmox.com/en/proxmox-virtual-environment/pricing"

// KeyPattern is Proxmox's subscription key format (the PUT parameter's
// pattern, whitespace around the key allowed).
const KeyPattern = `\s*pve([1248])([cbsp])-[0-9a-f]{10}\s*`

var keyRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^` + KeyPattern + `$`) })

// Subscription status values hostadm answers with. It never answers
// "active": it cannot ask Proxmox's shop whether a key is valid.
const (
	SubNotFound = "notfound"
	SubInvalid  = "invalid"
)

// Messages of the subscription status.
const (
	msgNoKey     = "There is no subscription key"
	msgUnchecked = "hostadm cannot check subscription keys: it has no connection to Proxmox's shop server " +
		"and is not Proxmox VE, so the stored key is kept but not verified"
)

// ErrBadKey is returned for a key that does not have Proxmox's format.
var ErrBadKey = errors.New("invalid subscription key")

// Subscription is what GET /nodes/{node}/subscription answers, in
// Proxmox's field names.
type Subscription struct {
	Status    string `json:"status"`
	Message   string `json:"message,omitempty"`
	URL       string `json:"url,omitempty"`
	Key       string `json:"key,omitempty"`
	ServerID  string `json:"serverid,omitempty"`
	Sockets   int    `json:"sockets,omitempty"`
	CheckTime int64  `json:"checktime,omitempty"`
}

// storedKey is the private record of a node's key.
type storedKey struct {
	Key       string `json:"key"`
	CheckTime int64  `json:"checktime"`
}

// SubscriptionPath is where a node's key lives: the store's private area,
// which only the daemon reads (Proxmox keeps it in /etc/subscription).
func SubscriptionPath(node string) string { return "priv/subscription/" + node + ".json" }

// SubscriptionView says what the caller may see.
type SubscriptionView struct {
	Audit   bool // Sys.Audit on the node: key, server ID and sockets
	Sockets int  // the node's CPU sockets
}

// GetSubscription reads the node's subscription state. Without Sys.Audit
// only status, message and url are shown, as Proxmox does.
func (s *Service) GetSubscription(ctx context.Context, v SubscriptionView) (*Subscription, error) {
	k, err := s.readKey(ctx)
	if err != nil {
		return nil, err
	}
	out := &Subscription{Status: SubNotFound, Message: msgNoKey, URL: ShopURL}
	if k != nil {
		out.Status, out.Message = SubInvalid, msgUnchecked
	}
	if !v.Audit {
		return out, nil
	}
	out.ServerID = s.serverID()
	if k != nil {
		out.Key, out.CheckTime, out.Sockets = k.Key, k.CheckTime, v.Sockets
	}
	return out, nil
}

// SetSubscriptionKey stores a key (PUT). The key is checked for Proxmox's
// format only; its status stays "invalid" with a message saying why.
func (s *Service) SetSubscriptionKey(ctx context.Context, key string, now time.Time) error {
	if !keyRe().MatchString(key) {
		return fmt.Errorf("%w %q: expected pve<1|2|4|8><c|b|s|p>-<10 hex digits>", ErrBadKey, key)
	}
	rec := storedKey{Key: strings.TrimSpace(key), CheckTime: now.Unix()}
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Store.Put(ctx, SubscriptionPath(s.cfg.Node), data, cfs.AnyVersion); err != nil {
		return fmt.Errorf("store subscription key: %w", err)
	}
	return nil
}

// CheckSubscription is POST: it records the time of the check; the key's
// status cannot change. Without a key it does nothing, as Proxmox does.
func (s *Service) CheckSubscription(ctx context.Context, now time.Time) error {
	k, err := s.readKey(ctx)
	if err != nil || k == nil {
		return err
	}
	return s.SetSubscriptionKey(ctx, k.Key, now)
}

// DeleteSubscriptionKey removes the key (DELETE); no key is no error.
func (s *Service) DeleteSubscriptionKey(ctx context.Context) error {
	err := s.cfg.Store.Delete(ctx, SubscriptionPath(s.cfg.Node), cfs.AnyVersion)
	if err != nil && !errors.Is(err, cfs.ErrNotFound) {
		return fmt.Errorf("delete subscription key: %w", err)
	}
	return nil
}

func (s *Service) readKey(ctx context.Context) (*storedKey, error) {
	e, err := s.cfg.Store.Get(ctx, SubscriptionPath(s.cfg.Node))
	if errors.Is(err, cfs.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read subscription key: %w", err)
	}
	var k storedKey
	if err := json.Unmarshal(e.Data, &k); err != nil || k.Key == "" {
		return nil, fmt.Errorf("read subscription key: %s is damaged", SubscriptionPath(s.cfg.Node))
	}
	return &k, nil
}

// serverID is Proxmox's server ID: the MD5 of the node's SSH RSA host
// public key, upper-case hex ("" when there is none).
func (s *Service) serverID() string {
	raw, err := s.cfg.Root.ReadFile("/etc/ssh/ssh_host_rsa_key.pub")
	if err != nil {
		return ""
	}
	sum := md5.Sum(raw)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}
