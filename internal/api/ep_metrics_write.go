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
	return editStatusCfg(ctx, r, func(f *statuscfg.File) (statuscfg.TokenChange, error) {
		id, typ := r.Params.String("id"), r.Params.String("type")
		if err := f.Config.Create(typ, id, sectionValues(r)); err != nil {
			if errors.Is(err, sectioncfg.ErrExists) {
				return statuscfg.TokenChange{}, fmt.Errorf("Metric server '%s' already exists", id)
			}
			return statuscfg.TokenChange{}, err
		}
		tc := statuscfg.TokenChange{ID: id, Value: r.Params.String("token"), Set: r.Params.Has("token")}
		tc.Del = !tc.Set // a new server starts without a stale token
		if tc.Set && typ != statuscfg.TypeInfluxDB {
			return statuscfg.TokenChange{}, errors.New("unexpected property 'token'")
		}
		return tc, testServer(ctx, r, f.Config.Section(id), tc.Value)
	})
}

func updateMetricServer(ctx context.Context, r *Request) (any, error) {
	return editStatusCfg(ctx, r, func(f *statuscfg.File) (statuscfg.TokenChange, error) {
		id := r.Params.String("id")
		tc := statuscfg.TokenChange{ID: id, Value: r.Params.String("token"), Set: r.Params.Has("token")}
		del := r.Params.List("delete")
		rest := del[:0:0]
		for _, k := range del {
			if k == "token" {
				tc.Del = true
				continue
			}
			rest = append(rest, k)
		}
		if err := f.Config.Update(id, sectionValues(r), rest, r.Params.String("digest")); err != nil {
			return statuscfg.TokenChange{}, err
		}
		sec := f.Config.Section(id)
		if (tc.Set || tc.Del) && sec.Type != statuscfg.TypeInfluxDB {
			return statuscfg.TokenChange{}, errors.New("unexpected property 'token'")
		}
		if tc.Set && tc.Del {
			return statuscfg.TokenChange{}, errors.New("cannot set and delete property 'token' at the same time!")
		}
		token := tc.Value
		if !tc.Set && !tc.Del {
			var err error
			if token, err = statuscfg.Token(ctx, r.Svc.Store, id); err != nil {
				return statuscfg.TokenChange{}, err
			}
		}
		return tc, testServer(ctx, r, sec, token)
	})
}

func deleteMetricServer(ctx context.Context, r *Request) (any, error) {
	return editStatusCfg(ctx, r, func(f *statuscfg.File) (statuscfg.TokenChange, error) {
		id := r.Params.String("id")
		return statuscfg.TokenChange{ID: id, Del: true}, f.Config.Delete(id)
	})
}

// editStatusCfg changes status.cfg through statuscfg.Edit, then reloads
// the exporters.
func editStatusCfg(ctx context.Context, r *Request, edit func(*statuscfg.File) (statuscfg.TokenChange, error)) (any, error) {
	if err := statuscfg.Edit(ctx, r.Svc.Store, edit); err != nil {
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
