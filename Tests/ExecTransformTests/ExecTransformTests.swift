import GatewayPlugin
import Testing

@testable import ExecTransform

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a process with this id exists (a zombie still does: only reaping removes it).
func processExists(_ pid: pid_t) -> Bool {
    kill(pid, 0) == 0 || errno != ESRCH
}

@Suite(.timeLimit(.minutes(2))) struct ExecTransformTests {
    @Test func eventsMakeARoundTripThroughCatUnchanged() async throws {
        let exec = execStep(.argv(["/bin/cat"]))
        let recorder = Recorder()
        exec.start(recorder.context())
        defer { exec.stop() }
        let events = [
            Event(data: "plain"),
            Event(id: "7", event: "quote", data: #"{"symbol":"ACME","price":101.5}"#),
            Event(event: "note", data: "two\nlines with \"quotes\", a tab\t and ünïcødé ✓"),
            Event(id: "", data: ""),
        ]
        exec.feed(events)
        #expect(await eventually { recorder.emitted.count >= events.count })
        #expect(recorder.emitted == events)
        #expect(recorder.dropped("invalid_output") == 0)
    }

    @Test func aStringCommandRunsThroughTheShell() async throws {
        let exec = execStep(.shell("exec cat"))
        let recorder = Recorder()
        exec.start(recorder.context())
        defer { exec.stop() }
        exec.feed([Event(data: "through sh")])
        #expect(await eventually { recorder.emitted == [Event(data: "through sh")] })
    }

    @Test func theProgramTransformsEventsAndMayEmitSeveralPerInput() async throws {
        let script = """
            import json, sys
            for line in sys.stdin:
                event = json.loads(line)
                event["data"] = event["data"].upper()
                event["event"] = "loud"
                print(json.dumps(event), flush=True)
                print(json.dumps({"data": {"length": len(event["data"])}}), flush=True)
            """
        let exec = execStep(.argv(["python3", "-c", script]))
        let recorder = Recorder()
        exec.start(recorder.context())
        defer { exec.stop() }
        exec.feed([Event(id: "1", data: "abc"), Event(data: "hello")])
        #expect(await eventually { recorder.emitted.count >= 4 })
        #expect(
            recorder.emitted == [
                Event(id: "1", event: "loud", data: "ABC"), Event(data: #"{"length":3}"#),
                Event(event: "loud", data: "HELLO"), Event(data: #"{"length":5}"#),
            ])
    }

    @Test func linesThatAreNotEventsAreCountedLoggedAndSkipped() async throws {
        let exec = execStep(
            .shell(#"printf 'not json\n{"data":"ok"}\n[1]\n{"event":5,"data":"x"}\n{"id":"1"}\n\n{"data":"last"}\n'; exec cat >/dev/null"#))
        let recorder = Recorder()
        exec.start(recorder.context())
        defer { exec.stop() }
        #expect(await eventually { recorder.emitted.count >= 2 && recorder.dropped("invalid_output") >= 4 })
        #expect(recorder.emitted == [Event(data: "ok"), Event(data: "last")])
        #expect(recorder.dropped("invalid_output") == 4)
        #expect(recorder.log.contains("exec program printed a line that is not an event exec.line=not JSON"))
        #expect(recorder.log.contains("exec.line='event' must be a string or null"))
        #expect(recorder.log.contains("exec.line=no 'data' member"))
    }

    @Test func stderrGoesToTheLog() async throws {
        let exec = execStep(.shell("echo 'something went sideways' >&2; exec cat"))
        let recorder = Recorder()
        exec.start(recorder.context())
        defer { exec.stop() }
        #expect(await eventually { recorder.log.contains("exec.stderr=something went sideways") })
    }

    @Test func aProgramThatExitsIsRestartedAndEventsContinue() async throws {
        // `head -n 1` answers one event and exits: every answer beyond the first needs a restart.
        let exec = execStep(.argv(["head", "-n", "1"]))
        let recorder = Recorder()
        exec.start(recorder.context())
        defer { exec.stop() }
        var pids = Set<pid_t>()
        var sent = 0
        let answered = await eventually {
            if let pid = exec.currentPID { pids.insert(pid) }
            sent += 1
            exec.feed([Event(data: "event \(sent)")])
            return recorder.emitted.count >= 3
        }
        #expect(answered)
        #expect(pids.count >= 3)
        #expect(Set(recorder.emitted).count == recorder.emitted.count)
        #expect(recorder.log.contains("exec program exited; restarting exec.pid="))
        #expect(recorder.log.contains("exec.status=exit code 0"))
    }

    @Test func eventsAreDroppedAndCountedWhileTheProgramIsDown() async throws {
        let exec = execStep(.shell("exit 3"), restart: (.seconds(60), .seconds(60)))
        let recorder = Recorder()
        exec.start(recorder.context())
        defer { exec.stop() }
        #expect(await eventually { recorder.log.contains("exec.status=exit code 3") })
        #expect(exec.currentPID == nil)
        let before = recorder.dropped("exec_down")
        exec.feed((1...5).map { Event(data: "\($0)") })
        #expect(recorder.dropped("exec_down") == before + 5)
        #expect(recorder.log.contains("exec.restart_in=1m"))
    }

    @Test func aFullQueueDropsAndCountsEventsWithoutBlocking() async throws {
        // `sleep` never reads: the pipe (64KiB) takes about four of these events, the writer
        // holds one batch of at most five, the queue five; the rest must be dropped and counted.
        let exec = execStep(.argv(["sleep", "60"]), queue: 5)
        let recorder = Recorder()
        exec.start(recorder.context())
        defer { exec.stop() }
        let big = String(repeating: "x", count: 16 * 1024)
        exec.feed((1...100).map { Event(id: "\($0)", data: big) })
        #expect(recorder.dropped("exec_queue_full") >= 80)
        #expect(recorder.dropped("exec_queue_full") <= 95)
        #expect(recorder.dropped("exec_down") == 0)
    }

    @Test func stopTerminatesAndReapsTheProgram() async throws {
        let exec = execStep(.argv(["cat"]))
        exec.start(Recorder().context())
        let pid = try #require(exec.currentPID)
        #expect(processExists(pid))
        exec.stop()
        #expect(!processExists(pid))
        #expect(exec.currentPID == nil)
    }

    @Test func stopKillsAProgramThatIgnoresSIGTERMAfterTheGrace() async throws {
        let exec = execStep(
            .shell(#"trap '' TERM; echo '{"data":"ready"}'; exec sleep 60"#), grace: .milliseconds(200))
        let recorder = Recorder()
        exec.start(recorder.context())
        let pid = try #require(exec.currentPID)
        #expect(await eventually { recorder.emitted == [Event(data: "ready")] })
        exec.stop()
        #expect(!processExists(pid))
        #expect(recorder.log.contains("exec program ignored SIGTERM; sending SIGKILL"))
        #expect(recorder.log.contains("exec.status=signal 9 (SIGKILL)"))
    }

    @Test func aProgramThatCannotStartIsRetriedAndItsEventsCounted() async throws {
        let exec = execStep(.argv(["/nonexistent/program"]), restart: (.milliseconds(10), .milliseconds(20)))
        let recorder = Recorder()
        exec.start(recorder.context())
        defer { exec.stop() }
        exec.feed([Event(data: "lost")])
        #expect(recorder.dropped("exec_down") == 1)
        #expect(await eventually { recorder.log.all.filter { $0.contains("exec program could not start") }.count >= 2 })
    }

    @Test func eventsAfterStopAreCountedAsDown() {
        let exec = execStep(.argv(["cat"]))
        let recorder = Recorder()
        exec.start(recorder.context())
        exec.stop()
        exec.stop()
        exec.feed([Event(data: "late")])
        #expect(recorder.dropped("exec_down") == 1)
        #expect(exec.currentPID == nil)
    }
}

@Suite(.timeLimit(.minutes(2))) struct ExecInheritanceTests {
    @Test func theProgramInheritsNoDescriptorButItsStandardStreams() async throws {
        // A pipe opened without close-on-exec, as some libraries do for their own children.
        var leaky: [Int32] = [-1, -1]
        #expect(pipe(&leaky) == 0)
        defer { leaky.forEach { _ = close($0) } }
        let exec = execStep(.shell(#"for fd in $(ls /proc/self/fd); do echo "{\"data\":\"$fd\"}"; done; exec cat >/dev/null"#))
        let recorder = Recorder()
        exec.start(recorder.context())
        defer { exec.stop() }
        #expect(await eventually { recorder.emitted.contains(Event(data: "2")) })
        let inherited = Set(recorder.emitted.compactMap { Int32($0.data) })
        #expect(inherited.isSuperset(of: [0, 1, 2]))
        #expect(inherited.isDisjoint(with: leaky))
        // 0, 1, 2 and the directory `ls` reads: nothing else.
        #expect(inherited.count <= 4)
    }
}
