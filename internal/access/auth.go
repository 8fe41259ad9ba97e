// Package access is hostadm's authentication and authorisation domain, the
// counterpart of Proxmox's pve-access-control: the files user.cfg,
// priv/token.cfg and priv/shadow.cfg in the cluster store, login through the
// realms "pam" and "pve", tickets signed with the cluster auth key, CSRF
// tokens, API tokens, roles and ACL evaluation. It knows nothing of HTTP.
package access

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"hostadm/internal/cfs"
)

// RootUser is the superuser, granted every privilege regardless of ACLs.
const RootUser = "root@pam"

// Paths in the cluster store, those of /etc/pve.
const (
	PathUserCfg    = "user.cfg"
	PathTokenCfg   = "priv/token.cfg"
	PathShadowCfg  = "priv/shadow.cfg"
	PathDomains    = "domains.cfg"
	PathAuthKey    = "priv/authkey.key"
	PathAuthPub    = "authkey.pub"
	PathAuthPubOld = "authkey.pub.old"
	PathWWWKey     = "pve-www.key"
)

// Sentinel errors; test them with errors.Is.
var (
	ErrAuthFailed   = errors.New("authentication failure")
	ErrNoSuchUser   = errors.New("no such user")
	ErrUserExists   = errors.New("user already exists")
	ErrNoSuchToken  = errors.New("no such token")
	ErrTokenExists  = errors.New("token already exists")
	ErrNoSuchRole   = errors.New("no such role")
	ErrNoSuchGroup  = errors.New("no such group")
	ErrInvalid      = errors.New("invalid value")
	ErrNotSupported = errors.New("not supported")
)

// Config holds the dependencies of a Service.
type Config struct {
	Store          cfs.Store
	Clock          func() time.Time
	Logger         *slog.Logger
	PAMService     string        // default "proxmox-ve-auth"
	PAMConfDir     string        // "" = the system's /etc/pam.d
	KDF            KDFParams     // argon2id parameters; zero = production defaults
	TicketLifetime time.Duration // default 2h
	// Revalidate is how long a parsed snapshot of the store is trusted
	// before Store.Revision is asked whether anything changed: 0 means one
	// second, a negative value means every call. Unknown tokens, users and
	// tickets always trigger a fresh look, so a token created by another
	// process is accepted at once; a revocation takes effect within this
	// interval.
	Revalidate time.Duration
}

// Service implements authentication and authorisation over a cfs.Store.
type Service struct {
	cfg     Config
	builtin *builtin
	state   atomic.Pointer[state]
	loadMu  sync.Mutex
	tickets ticketCache
	fails   throttle
	// hashSlots bounds the password checks running at once; dummyHash
	// (made with the configured parameters) is checked for unknown users.
	hashSlots *fairSlots
	dummyHash func() string
}

// Identity is an authenticated principal: a user, or an API token of one.
type Identity struct {
	User    string // user@realm
	TokenID string // "" unless an API token
}

// AuthID is the user id, or "user@realm!tokenid" for a token.
func (id Identity) AuthID() string {
	if id.TokenID == "" {
		return id.User
	}
	return id.User + "!" + id.TokenID
}

// hashSlotCount is how many password checks run at once (4 × 64 MiB with
// the default parameters).
const hashSlotCount = 4

// hashRate is how many password checks start per second at most, over
// all clients (a login flood's bound on CPU).
const hashRate = 50

// New returns a Service; it does not touch the store.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("auth: Config.Store is required")
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.PAMService == "" {
		cfg.PAMService = "proxmox-ve-auth"
	}
	if cfg.KDF == (KDFParams{}) {
		cfg.KDF = defaultKDF
	}
	if cfg.TicketLifetime == 0 {
		cfg.TicketLifetime = 2 * time.Hour
	}
	if cfg.Revalidate == 0 {
		cfg.Revalidate = time.Second
	}
	s := &Service{cfg: cfg, builtin: newBuiltin()}
	s.tickets.max = 4096
	s.fails = newThrottle(10, 5*time.Minute)
	s.hashSlots = newFairSlots(hashSlotCount, hashRate)
	// Made on first use: a hash costs the KDF's memory (64 MiB), which
	// a daemon that nobody logs in to should not hold from the start.
	s.dummyHash = sync.OnceValue(func() string {
		h, err := HashPassword(fmt.Sprintf("no-user-%d", time.Now().UnixNano()), cfg.KDF)
		if err != nil {
			return ""
		}
		return h
	})
	return s, nil
}

// User is a user as the API shows it.
type User struct {
	UserID                                    string
	Enable                                    int
	Expire                                    int64
	Firstname, Lastname, Email, Comment, Keys string
	Groups                                    []string
	Tokens                                    []Token
}

// Token is an API token's metadata.
type Token struct {
	TokenID string
	Expire  int64
	PrivSep int
	Comment string
}

// Role is a named set of privileges; Special is 1 for built-in roles.
type Role struct {
	RoleID  string
	Privs   []string
	Special int
}

// ACLEntry is one (path, member, role) grant as GET /access/acl lists it.
type ACLEntry struct {
	Path, Type /* user|group|token */, UGID, RoleID string
	Propagate                                       int
}

// Domain is an authentication realm.
type Domain struct {
	Realm, Type, Comment string
	Default              int
}

func (s *Service) now() time.Time { return s.cfg.Clock() }

func (s *Service) logf(ctx context.Context, msg string, args ...any) {
	s.cfg.Logger.WarnContext(ctx, fmt.Sprintf(msg, args...))
}
