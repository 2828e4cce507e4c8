package httpapi

import (
	"context"
	"sync"

	"github.com/mesosnb/mesosnb/pkg/leader"
)

// zkFinder finds the leading master in ZooKeeper. It connects on first use
// and keeps the session, so asking again is two round trips.
type zkFinder struct {
	master leader.Master

	mu  sync.Mutex
	det *leader.Detector
}

func (f *zkFinder) Leader(ctx context.Context) (string, error) {
	f.mu.Lock()
	det := f.det
	f.mu.Unlock()
	if det == nil {
		d, err := leader.Connect(ctx, f.master, nil)
		if err != nil {
			return "", err
		}
		f.mu.Lock()
		if f.det == nil {
			f.det = d
		} else {
			d.Close()
		}
		det = f.det
		f.mu.Unlock()
	}
	info, err := det.Leader(ctx)
	if err != nil {
		return "", err
	}
	return info.HostPort(), nil
}

func (f *zkFinder) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.det == nil {
		return nil
	}
	err := f.det.Close()
	f.det = nil
	return err
}
