package localmesos

import "strings"

// Difference is one known way in which the stand-in answers differently
// from a real Mesos 1.11.0 master, and why it stays.
//
// The package's differential test runs scripted call sequences against
// both and compares status codes, Content-Type, error texts, event types
// and order, and the key sets of every JSON answer and event. Each
// difference it finds must match a Difference's Shows patterns; doc.go's
// "What is not" has one bullet per Difference (its Doc text) and the
// README's "What it does not do" paragraph carries each README phrase.
type Difference struct {
	// ID names the difference.
	ID string
	// What differs, in a sentence.
	What string
	// Why it stays so.
	Why string
	// Doc is its bullet in doc.go's "What is not" ("" when it is not one
	// a user would notice; then README is empty too).
	Doc string
	// README is the phrase in README.md's "What it does not do".
	README string
	// Shows are patterns of the differential test's findings it explains:
	// "*" stands for any text. A finding reads "group/sequence/step
	// aspect: ...".
	Shows []string
	// Untested says why no sequence shows it, when Shows is empty.
	Untested string
}

// Differences lists every known difference from Mesos 1.11.0.
var Differences = []Difference{
	{
		ID:     "json-only",
		What:   "The stand-in reads and writes JSON only; a body in application/x-protobuf, or an Accept that allows only protobuf, is refused with 415 or 406 and a text saying so.",
		Why:    "Nothing in the project sends protobuf, and a second wire format would double what must be kept faithful.",
		Doc:    "It speaks JSON only: application/x-protobuf is refused (415, or 406 for Accept) with a message that says so.",
		README: "JSON only (`application/x-protobuf` gets 415, saying so)",
		Shows: []string{
			"scheduler/ProtobufContentType/*",
			"scheduler/AcceptProtobuf/*",
			"agent/media types/* protobuf *",
		},
	},

	{
		ID:       "unknown-call",
		What:     "A scheduler call of type UNKNOWN from a subscribed framework gets 501 Not Implemented; a real 1.11.0 master aborts on it (a CHECK in its call metrics).",
		Why:      "A stand-in must not crash on a learner's typo; the real master's abort is a bug (it counts the call before looking at its type).",
		Doc:      "A scheduler call of type UNKNOWN from a known framework gets 501 Not Implemented; a real 1.11.0 master aborts on it, so none is ever sent to one.",
		README:   "scheduler call of type UNKNOWN gets 501 where a real master aborts",
		Untested: "never sent to a real master: it aborts (the runner refuses to send it)",
	},
	{
		ID: "features",
		What: "No persistent volumes, nested or standalone containers, resource providers, offer constraints or authorization; " +
			"reservations have one level; quota guarantees are served first but nothing is held back for them.",
		Why: "The notebooks and workshops use none of them; their operator calls are validated as Mesos validates them, then refused (501) saying so.",
		Doc: "There are no persistent volumes, nested or standalone containers, resource providers, offer constraints or authorization: " +
			"those operator calls are validated as Mesos validates them, then refused (501) with a message that says what the stand-in " +
			"does not do. Reservations have one level (no refinement); quota guarantees are served first but nothing is held back for them.",
		README: "no persistent volumes, nested or standalone containers, resource providers or reservation refinement",
		Shows:  []string{"operator/volumes/3 create *", "agent/standalone container/1 launch *"},
	},
	{
		ID:    "one-machine",
		What:  "All agents run on one machine: maintenance of it takes them all; taken down, they register again with new ids when it comes back up.",
		Why:   "The stand-in is one process on one machine.",
		Doc:   "Its agents all run on one machine: maintenance of it takes them all; taken down, they register again with new ids when it comes back up.",
		Shows: []string{"operator/maintenance/* agents after keys: only localmesos has *"},
	},
	{
		ID: "custom-executors",
		What: "Custom executors run as local processes only, with the process or auto runner; an ExecutorInfo with a container image, " +
			"or any custom executor under the docker or simulated runner, fails its tasks saying so.",
		Why: "Running an executor in a container needs Mesos' containerizer, which the stand-in is not.",
		Doc: "Custom executors run as local processes only, with the process or auto runner: an ExecutorInfo with a container image, " +
			"or any custom executor under the docker or simulated runner, fails its tasks with a message that says so.",
		Untested: "the sequences launch command tasks only",
	},
	{
		ID:       "one-role",
		What:     "A framework gets offers for one role: its first one.",
		Why:      "The project's frameworks have one role; a per-role allocator is not worth its weight here.",
		Doc:      "A framework gets offers for one role: its first one.",
		README:   "one role per framework",
		Untested: "the sequences subscribe with one role",
	},
	{
		ID: "agent-order",
		What: "Each allocation visits the agents in the order they registered; Mesos 1.11 shuffles them every time " +
			"(random_shuffle in HierarchicalAllocatorProcess::__generateOffers).",
		Why: "Repeatable offers for tests and notebooks. Who gets an agent is Mesos' rule all the same: the smallest DRF share, " +
			"then the framework offered least often, then the smaller framework id.",
		Doc: "Each allocation visits the agents in the order they registered, where Mesos shuffles them; who gets an agent " +
			"follows Mesos: the smallest DRF share, then the framework offered least often, then the smaller framework id.",
		README:   "agents are offered in the order they registered (Mesos shuffles them)",
		Untested: "Mesos' order is random: no sequence can show it",
	},
	{
		ID:   "memory",
		What: "All state is in memory: a restarted stand-in remembers nothing; agents leave only when an operator removes them, and then go on answering.",
		Why:  "It is a stand-in started per test or workshop; persistence would add nothing a learner sees.",
		Doc: "All state is in memory: a restarted stand-in remembers nothing, and its agents leave only when an operator removes them " +
			"(an agent marked gone or taken down goes on answering on its port, its tasks killed, where a Mesos agent would have shut down).",
		README:   "state in memory",
		Untested: "the sequences never restart a master, and a real agent's shutting down takes its own time",
	},
	{
		ID:       "remove-quota",
		What:     "REMOVE_QUOTA for a role without quota answers 400; a real 1.11.0 master aborts on it.",
		Why:      "A stand-in must not crash on a learner's mistake.",
		Doc:      "REMOVE_QUOTA for a role without quota answers 400 where a real 1.11.0 master aborts.",
		Untested: "never sent to a real master: it aborts",
	},
	{
		ID:       "json-format",
		What:     "JSON output means what Mesos' means but is not byte-identical: 15.0 prints as 15.",
		Why:      "Go's encoder writes numbers this way; every JSON reader reads both alike.",
		Doc:      "Its JSON output means what Mesos' means but is not byte-identical: a number such as 15.0 prints as 15. Status codes and message texts, by contrast, are exact.",
		README:   "Its JSON is Mesos' in shape and content but not byte for byte",
		Untested: "the differential test compares key sets, not how values are written",
	},
}

// The operator API and the read endpoints.
var operatorDifferences = []Difference{
	{
		ID:   "version-info",
		What: "/version and GET_VERSION carry git_tag 1.11.0 and no git_branch; their git_sha is the stand-in's own commit, when its binary recorded one (test binaries do not).",
		Why:  "The stand-in is not a build of Mesos; its build_user and build_date say what it is instead.",
		Doc:  "Its /version and GET_VERSION carry git_tag 1.11.0 and no git_branch (their git_sha is its own commit, when its binary recorded one): it is not a build of Mesos.",
		Shows: []string{
			"endpoints/GET /version/* keys: only mesos has git_sha", "endpoints/GET /version/* keys: only mesos has git_branch",
			"endpoints/GET /version/* keys: only localmesos has git_tag",
			"endpoints/*GET /*state* keys: only mesos has git_sha", "endpoints/*GET /*state* keys: only mesos has git_branch",
			"endpoints/*GET /*state* keys: only localmesos has git_tag",
			"*/GET_VERSION/* keys: only mesos has get_version.version_info.git_*",
			"*/GET_VERSION/* keys: only localmesos has get_version.version_info.git_tag",
		},
	},
	{
		ID:    "master-flags",
		What:  "The flags /state and /master/state list are the stand-in's own few (allocation_interval, hostname, port...) plus stand_in, not mesos-master's 60.",
		Why:   "Its flags are not mesos-master's; listing flags it does not have would be false.",
		Doc:   "The flags in /state and /master/state are its own few, with stand_in saying what it is, not mesos-master's.",
		Shows: []string{"endpoints/*GET /*state* keys: only mesos has flags.*", "endpoints/*GET /*state* keys: only localmesos has flags.*"},
	},

	{
		ID: "metrics-subset",
		What: "GET_METRICS and /metrics/snapshot give the metrics a learner meets (tasks, frameworks, agents, offers, " +
			"resources, system), not the counters of Mesos' allocator, registrar, messages and operations.",
		Why:   "Those count what the stand-in does not have (a registrar, libprocess messages, operation feedback); zeros for them would be invented.",
		Doc:   "Its metrics are those a learner meets (tasks, frameworks, agents, offers, resources, the machine), not the counters of Mesos' allocator, registrar, messages and operations.",
		Shows: []string{"* metric names keys: only mesos has *", "*/GET /metrics/snapshot/* keys: only mesos has *"},
	},
	{
		ID:    "defaults-omitted",
		What:  "A framework's framework_info has no checkpoint field when the framework did not set it; Mesos writes checkpoint: false.",
		Why:   "The project's protocol structs omit empty fields (omitempty): a reader sees the same default either way.",
		Doc:   "Fields Mesos writes with their default values, such as a framework's checkpoint false, are left out when unset.",
		Shows: []string{"operator/* keys: only mesos has *framework_info.checkpoint", "agent/* keys: only mesos has *framework_info.checkpoint"},
	},
}

func init() { Differences = append(Differences, operatorDifferences...) }

// ExplainDifference returns the IDs of the Differences whose Shows
// patterns match a finding of the differential test.
func ExplainDifference(finding string) []string {
	var ids []string
	for _, d := range Differences {
		for _, p := range d.Shows {
			if globMatch(p, finding) {
				ids = append(ids, d.ID)
				break
			}
		}
	}
	return ids
}

// globMatch matches text against a pattern in which "*" stands for any
// run of characters.
func globMatch(pattern, text string) bool {
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(text, parts[0]) {
		return false
	}
	text = text[len(parts[0]):]
	for i, p := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(text, p)
		}
		j := strings.Index(text, p)
		if j < 0 {
			return false
		}
		text = text[j+len(p):]
	}
	return text == ""
}
