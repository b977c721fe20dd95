import CLinuxProcess
import Foundation

/// A step of `callvault job run` dies with its job.
///
/// The job holds its lock (``JobLock``) only as long as it lives; a `kill -9` of the job must not
/// leave its step (say, `run --once`) running on, reparented to init, while the next `job run`
/// takes the free lock and overlaps it. The CLI's step executor starts each step with
/// ``environmentKey`` set to the job's pid; the step, first thing, asks the kernel for SIGKILL when its parent dies
/// (`PR_SET_PDEATHSIG`) and checks that the parent has not already died before it asked.
/// Everything a step does is safe to kill at any moment (the exactly-once protocol, retention's
/// order of effects), and the next run completes it.
public enum JobStep {
    public static let environmentKey = "CALLVAULT_JOB_PID"

    /// Called at start by every command; does nothing unless started by a job.
    public static func dieWithParentJob() {
        guard let value = ProcessInfo.processInfo.environment[environmentKey], let parent = pid_t(value) else { return }
        if callvault_set_parent_death_signal(SIGKILL) != 0 { return }
        if getppid() != parent { kill(getpid(), SIGKILL) }
    }
}
