"""Writes of the review workflow, one module per step:

- `assignments`: reviewers assigned by administrators or claimed (审核分工), bulk actions;
- `formal`: formal review (形式审查) with its comment, return for supplement (补正，一次性告知);
- `experts`: expert panels, conflict-of-interest declarations and scores (专家评审);
- `approvals`: no decision by one person (四眼原则): the proposal (拟办) and the steps of its
  approval chain (复核, 分管领导), batch proposals of competitive batches;
- `decisions`: the rules and writes of the bureau decision (实质审核), 从高不重复, run when the chain's
  last step approves;
- `collective`: the collective decision (集体决策) competitive programmes record before their notice;
- `notices`: public notice (公示) and finalising awards; `objections`: objections (异议) to a notice;
- `deadlines`: reminder e-mails about overdue work.

Every change of an application's state goes through applications.services.application_transition.
A service reads top to bottom: lock (applications.services.application_lock), check, write, then one
call of the transition with plain arguments."""
