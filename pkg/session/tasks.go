package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mesosnb/mesosnb/pkg/mesos"
)

// Helpers for a notebook's story: naming tasks, and finding what a cell
// launched earlier (values do not survive between GoNB cells, the session
// folder does).

// TaskID returns a new task id carrying the prefix and Identity, unique
// within the framework: web-alice@laptop-lq3k9x2.
func TaskID(prefix string) mesos.TaskID {
	id := strings.NewReplacer("/", "_", "\\", "_", " ", "_").Replace(Identity())
	return mesos.TaskID{Value: fmt.Sprintf("%s-%s-%s", prefix, id, strconv.FormatInt(time.Now().UnixMilli(), 36))}
}

// launches are the tasks ACCEPT calls launched, the master having taken
// the call (2xx), oldest first.
func (s *Session) launches() ([]mesos.TaskInfo, error) {
	calls, err := readCalls(filepath.Join(s.Dir, callsFile))
	if err != nil {
		return nil, err
	}
	var out []mesos.TaskInfo
	for _, c := range calls {
		var call mesos.Call
		if c.Type != string(mesos.CallAccept) || c.Status/100 != 2 || json.Unmarshal(c.Request, &call) != nil || call.Accept == nil {
			continue
		}
		for _, op := range call.Accept.Operations {
			if op.Launch != nil {
				out = append(out, op.Launch.TaskInfos...)
			}
		}
	}
	return out, nil
}

// LaunchedTask returns the TaskInfo a cell launched with the given id,
// from the ACCEPT calls the session recorded.
func (s *Session) LaunchedTask(id mesos.TaskID) (mesos.TaskInfo, bool, error) {
	infos, err := s.launches()
	for i := len(infos) - 1; i >= 0; i-- {
		if infos[i].TaskID == id {
			return infos[i], true, err
		}
	}
	return mesos.TaskInfo{}, false, err
}

// LastTask is the task a cell of this session launched most recently,
// with its latest status (State is empty while no update has come). Its
// error, when none was launched, names the cell to run first.
func (s *Session) LastTask() (Task, error) {
	infos, err := s.launches()
	if err != nil {
		return Task{}, err
	}
	if len(infos) == 0 {
		return Task{}, errors.New("no task launched in this session yet: run the ACCEPT cell first")
	}
	info := infos[len(infos)-1]
	t, ok, err := s.Task(info.TaskID)
	if !ok {
		t = Task{ID: info.TaskID, AgentID: info.AgentID, Launched: &info}
	}
	return t, err
}

// AgentHostname is the hostname the agent's offers gave, where its tasks'
// mapped ports are reachable.
func (s *Session) AgentHostname(agentID mesos.AgentID) (string, error) {
	if err := s.reader.refresh(); err != nil {
		return "", err
	}
	for i := len(s.reader.entries) - 1; i >= 0; i-- {
		ev := s.reader.entries[i].Event
		if ev.Type != mesos.EventOffers {
			continue
		}
		for _, o := range ev.Offers.Offers {
			if o.AgentID == agentID {
				return o.Hostname, nil
			}
		}
	}
	return "", fmt.Errorf("no offer from agent %s in the journal", agentID.Value)
}
