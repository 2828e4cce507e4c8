package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// malformedOperatorCalls sends 1,000 malformed calls to the operator API
// of a localmesos master and of its agent: broken JSON, wrong types,
// unknown call types, payloads missing or without their required fields,
// ids Mesos refuses, wrong media types and methods. Every answer must be
// a 4xx or a 501 with a message, the stand-in must stay healthy, and its
// memory bounded.
func malformedOperatorCalls(ctx context.Context, h *harness) (string, error) {
	m, err := h.startLM(ctx, "", "--runner", "simulated")
	if err != nil {
		return "", err
	}
	rssBefore := rssOf(m.cmd.Process.Pid)
	targets := []string{m.url + "/api/v1", "http://" + m.agentAt + "/api/v1"}
	codes := map[int]int{}
	var mu sync.Mutex
	var bad []string
	var wg sync.WaitGroup
	var next atomic.Int32
	client := &http.Client{Timeout: 20 * time.Second}
	for w := 0; w < 8; w++ {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 12))
			for {
				i := int(next.Add(1))
				if i > 1000 || ctx.Err() != nil {
					return
				}
				target := targets[i%2]
				method, ct, accept, body := malformedOperatorCall(r)
				req, _ := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
				if ct != "" {
					req.Header.Set("Content-Type", ct)
				}
				if accept != "" {
					req.Header.Set("Accept", accept)
				}
				resp, err := client.Do(req)
				mu.Lock()
				if err != nil {
					bad = append(bad, err.Error())
				} else {
					msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
					resp.Body.Close()
					codes[resp.StatusCode]++
					if resp.StatusCode < 400 || resp.StatusCode >= 500 && resp.StatusCode != 501 || len(bytes.TrimSpace(msg)) == 0 {
						bad = append(bad, fmt.Sprintf("%s %s: %d %q for %.120q", method, target, resp.StatusCode, msg, body))
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(bad) > 0 {
		return "", fmt.Errorf("%d unclear answers, first: %s", len(bad), bad[0])
	}
	for _, u := range []string{m.url + "/health", "http://" + m.agentAt + "/health"} {
		if resp, err := http.Get(u); err != nil || resp.StatusCode != 200 {
			return "", fmt.Errorf("localmesos unhealthy after the storm (%s): %v", u, err)
		}
	}
	rssAfter := rssOf(m.cmd.Process.Pid)
	if rssAfter > rssBefore+100<<20 {
		return "", fmt.Errorf("localmesos grew from %d MB to %d MB", rssBefore>>20, rssAfter>>20)
	}
	return fmt.Sprintf("1,000 operator calls (master and agent) answered %s, each with a message; both still healthy; RSS %d MB -> %d MB",
		codeSummary(codes), rssBefore>>20, rssAfter>>20), nil
}

// operatorCallTypes are every call type of master.proto and agent.proto.
var operatorCallTypes = strings.Fields(`GET_HEALTH GET_FLAGS GET_VERSION GET_METRICS GET_LOGGING_LEVEL SET_LOGGING_LEVEL
	LIST_FILES READ_FILE GET_STATE GET_AGENTS GET_FRAMEWORKS GET_EXECUTORS GET_OPERATIONS GET_TASKS GET_ROLES GET_WEIGHTS
	UPDATE_WEIGHTS GET_MASTER RESERVE_RESOURCES UNRESERVE_RESOURCES CREATE_VOLUMES DESTROY_VOLUMES GROW_VOLUME
	SHRINK_VOLUME GET_MAINTENANCE_STATUS GET_MAINTENANCE_SCHEDULE UPDATE_MAINTENANCE_SCHEDULE START_MAINTENANCE
	STOP_MAINTENANCE DRAIN_AGENT DEACTIVATE_AGENT REACTIVATE_AGENT GET_QUOTA UPDATE_QUOTA SET_QUOTA REMOVE_QUOTA
	TEARDOWN MARK_AGENT_GONE GET_CONTAINERS GET_AGENT GET_RESOURCE_PROVIDERS LAUNCH_NESTED_CONTAINER
	WAIT_NESTED_CONTAINER KILL_NESTED_CONTAINER REMOVE_NESTED_CONTAINER LAUNCH_NESTED_CONTAINER_SESSION
	ATTACH_CONTAINER_INPUT ATTACH_CONTAINER_OUTPUT LAUNCH_CONTAINER WAIT_CONTAINER KILL_CONTAINER REMOVE_CONTAINER
	ADD_RESOURCE_PROVIDER_CONFIG UPDATE_RESOURCE_PROVIDER_CONFIG REMOVE_RESOURCE_PROVIDER_CONFIG
	MARK_RESOURCE_PROVIDER_GONE PRUNE_IMAGES`)

// payloadTypes are the call types that take a payload, which a malformed
// one breaks; the others ignore what they do not expect.
var payloadTypes = strings.Fields(`SET_LOGGING_LEVEL LIST_FILES READ_FILE UPDATE_WEIGHTS RESERVE_RESOURCES
	UNRESERVE_RESOURCES CREATE_VOLUMES DESTROY_VOLUMES GROW_VOLUME SHRINK_VOLUME UPDATE_MAINTENANCE_SCHEDULE
	START_MAINTENANCE STOP_MAINTENANCE DRAIN_AGENT DEACTIVATE_AGENT REACTIVATE_AGENT UPDATE_QUOTA SET_QUOTA
	REMOVE_QUOTA TEARDOWN MARK_AGENT_GONE LAUNCH_NESTED_CONTAINER WAIT_NESTED_CONTAINER KILL_NESTED_CONTAINER
	REMOVE_NESTED_CONTAINER LAUNCH_NESTED_CONTAINER_SESSION ATTACH_CONTAINER_OUTPUT LAUNCH_CONTAINER WAIT_CONTAINER
	KILL_CONTAINER REMOVE_CONTAINER`)

// badValues are JSON values of the wrong kind for most fields.
var badValues = []string{`[]`, `[[]]`, `{}`, `"x"`, `-1`, `1e999`, `true`, `{"value":""}`, `{"value":".."}`,
	`{"value":"a/b"}`, `{"nanoseconds":"x"}`, `"` + strings.Repeat("z", 300) + `"`}

// wrongKind are JSON values no field of an operator call takes: neither
// an object nor a string, nor a number where it is not one.
var wrongKind = []string{`[[]]`, `1e999`, `true`, `[true]`}

// malformedOperatorCall is one malformed operator call: method, media
// types and body.
func malformedOperatorCall(r *rand.Rand) (method, ct, accept string, body []byte) {
	typ := operatorCallTypes[r.IntN(len(operatorCallTypes))]
	withPayload := payloadTypes[r.IntN(len(payloadTypes))]
	payload := strings.ToLower(withPayload)
	method, ct = http.MethodPost, "application/json"
	switch r.IntN(12) {
	case 0:
		body = randomBytes(r, 300)
	case 1:
		body = []byte(`{"type":"` + typ + `","` + payload + `":{`) // cut short
	case 2:
		body = []byte(`{"type":"` + typ + `_NOT"}`)
	case 3:
		body = []byte(`{"type":` + badValues[r.IntN(len(badValues))] + `}`)
	case 4:
		body = []byte(`{"type":"` + withPayload + `","` + payload + `":` + wrongKind[r.IntN(len(wrongKind))] + `}`)
	case 5:
		// Every field of the payload of the wrong kind.
		var fields []string
		for _, f := range []string{"agent_id", "path", "offset", "length", "level", "duration", "container_id", "machines",
			"schedule", "weight_infos", "quota_configs", "resources", "framework_id", "role", "max_grace_period"} {
			fields = append(fields, `"`+f+`":`+wrongKind[r.IntN(len(wrongKind))])
		}
		body = []byte(`{"type":"` + withPayload + `","` + payload + `":{` + strings.Join(fields, ",") + `}}`)
	case 6:
		// A container id nested past what Mesos parses (its JSON depth limit).
		body = []byte(`{"type":"LAUNCH_NESTED_CONTAINER","launch_nested_container":{"container_id":{"value":"x","parent":` + strings.Repeat(`{"value":"p","parent":`, 300) + `{}` + strings.Repeat("}", 300) + `}}}`)
	case 7:
		body = bytes.Repeat([]byte("["), 100000)
	case 8:
		method = []string{http.MethodGet, http.MethodPut, http.MethodDelete}[r.IntN(3)]
		body = []byte(`{"type":"` + typ + `"}`)
	case 9:
		ct = []string{"", "text/plain", "application/x-protobuf", "application/recordio"}[r.IntN(4)]
		body = []byte(`{"type":"` + typ + `"}`)
	case 10:
		accept = []string{"text/html", "application/x-protobuf", "application/json;q=0"}[r.IntN(3)]
		body = []byte(`{"type":"` + typ + `"}`)
	default:
		body = []byte(`{"type":"` + withPayload + `","` + payload + `":{"agent_id":{"value":""},"container_id":{"value":"a b"},"machines":[{}],` +
			`"quota_configs":[{"role":"-x","limits":{"cpus":{"value":-1}}}],"weight_infos":[{"role":"/","weight":-2}],` +
			`"schedule":{"windows":[{"machine_ids":[],"unavailability":{"start":{"nanoseconds":1}}}]}}}`)
	}
	return method, ct, accept, body
}
