package api

import (
	"context"
	"errors"
	"fmt"

	"hostadm/internal/metrics/export"
	"hostadm/internal/metrics/statuscfg"
	"hostadm/internal/sectioncfg"
)

// sectionValues are the request's section properties: everything but the
// id, type, digest, delete and the token, which never goes to status.cfg.
func sectionValues(r *Request) map[string]any {
	out := map[string]any{}
	for _, k := range r.Params.Names() {
		switch k {
		case "id", "type", "digest", "delete", "token":
			continue
		}
		out[k] = r.Params.Raw(k)
	}
	return out
}

func createMetricServer(ctx context.Context, r *Request) (any, error) {
	return editStatusCfg(ctx, r, func(f *statuscfg.File) (tokenChange, error) {
		id, typ := r.Params.String("id"), r.Params.String("type")
		if err := f.Config.Create(typ, id, sectionValues(r)); err != nil {
			if errors.Is(err, sectioncfg.ErrExists) {
				return tokenChange{}, fmt.Errorf("Metric server '%s' already exists", id)
			}
			return tokenChange{}, err
		}
		tc := tokenChange{id: id, value: r.Params.String("token"), set: r.Params.Has("token")}
		tc.del = !tc.set // a new server starts without a stale token
		if tc.set && typ != statuscfg.TypeInfluxDB {
			return tokenChange{}, errors.New("unexpected property 'token'")
		}
		return tc, testServer(ctx, r, f.Config.Section(id), tc.value)
	})
}

func updateMetricServer(ctx context.Context, r *Request) (any, error) {
	return editStatusCfg(ctx, r, func(f *statuscfg.File) (tokenChange, error) {
		id := r.Params.String("id")
		tc := tokenChange{id: id, value: r.Params.String("token"), set: r.Params.Has("token")}
		del := r.Params.List("delete")
		rest := del[:0:0]
		for _, k := range del {
			if k == "token" {
				tc.del = true
				continue
			}
			rest = append(rest, k)
		}
		if err := f.Config.Update(id, sectionValues(r), rest, r.Params.String("digest")); err != nil {
			return tokenChange{}, err
		}
		sec := f.Config.Section(id)
		if (tc.set || tc.del) && sec.Type != statuscfg.TypeInfluxDB {
			return tokenChange{}, errors.New("unexpected property 'token'")
		}
		if tc.set && tc.del {
			return tokenChange{}, errors.New("cannot set and delete property 'token' at the same time!")
		}
		token := tc.value
		if !tc.set && !tc.del {
			var err error
			if token, err = statuscfg.Token(ctx, r.Svc.Store, id); err != nil {
				return tokenChange{}, err
			}
		}
		return tc, testServer(ctx, r, sec, token)
	})
}

func deleteMetricServer(ctx context.Context, r *Request) (any, error) {
	return editStatusCfg(ctx, r, func(f *statuscfg.File) (tokenChange, error) {
		id := r.Params.String("id")
		return tokenChange{id: id, del: true}, f.Config.Delete(id)
	})
}

// tokenChange is what an edit of status.cfg does with a server's token,
// which is kept in a file of its own (statuscfg.TokenPath), not in
// status.cfg: store value, delete it, or (neither) leave it.
type tokenChange struct {
	id, value string
	set, del  bool
}

// editStatusCfg is the one way the metric server endpoints change
// status.cfg: under its lock, edit changes the file as read and says what
// becomes of the token; then status.cfg is written, the token stored or
// deleted, and the exporters reloaded. Nothing is written when edit fails.
func editStatusCfg(ctx context.Context, r *Request, edit func(*statuscfg.File) (tokenChange, error)) (any, error) {
	st := r.Svc.Store
	unlock, err := statuscfg.Lock(ctx, st)
	if err != nil {
		return nil, err
	}
	defer unlock()
	f, err := statuscfg.Read(ctx, st)
	if err != nil {
		return nil, err
	}
	tc, err := edit(f)
	if err != nil {
		return nil, err
	}
	if tc.set {
		// A bad token is refused before status.cfg changes.
		if err := statuscfg.CheckToken(tc.value); err != nil {
			return nil, err
		}
	}
	if err := f.Write(ctx, st); err != nil {
		return nil, err
	}
	switch {
	case tc.set:
		err = statuscfg.SetToken(ctx, st, tc.id, tc.value)
	case tc.del:
		err = statuscfg.DeleteToken(ctx, st, tc.id)
	}
	if err != nil {
		return nil, err
	}
	return nil, reloadMetrics(ctx, r)
}

// testServer is the connection test of create and update (skipped for
// disabled servers and for types hostadm does not export to).
func testServer(ctx context.Context, r *Request, sec *sectioncfg.Section, token string) error {
	s, ok := statuscfg.ServerOf(sec)
	if !ok || s.Disable {
		return nil
	}
	s.Token = token
	if err := export.Test(ctx, s, probeLine(ctx, r)); err != nil {
		return fmt.Errorf("connection test failed: %w", err)
	}
	return nil
}

func reloadMetrics(ctx context.Context, r *Request) error {
	if r.Svc.Metrics == nil {
		return nil
	}
	return r.Svc.Metrics.Reload(ctx)
}
