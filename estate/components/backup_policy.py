"""The Azure VM backup policy a Recovery Services vault applies, from the estate's `recovery_vault.backup_policy`."""

from __future__ import annotations

from pulumi_azure_native import recoveryservices

from estate.definition.model import BackupPolicy


def backup_policy_properties(policy: BackupPolicy) -> recoveryservices.AzureIaaSVMProtectionPolicyArgs:
    """An Azure VM backup policy: daily at `time_utc`, kept for days, weeks and months as the estate says.

    Built from the SDK's Args classes, not dicts: these properties are unions, which the SDK can only
    translate to the API's camelCase names when it knows the concrete type.
    """
    rs = recoveryservices
    run_time = f"2020-01-01T{policy.time_utc}:00Z"  # Azure reads only the time of day.

    def kept(count: int, unit: str) -> rs.RetentionDurationArgs:
        return rs.RetentionDurationArgs(count=count, duration_type=unit)

    weekly = monthly = None
    if policy.weekly_retention_weeks:
        weekly = rs.WeeklyRetentionScheduleArgs(days_of_the_week=["Sunday"], retention_times=[run_time],
                                                retention_duration=kept(policy.weekly_retention_weeks, "Weeks"))
    if policy.monthly_retention_months:
        monthly = rs.MonthlyRetentionScheduleArgs(
            retention_schedule_format_type="Weekly", retention_times=[run_time],
            retention_schedule_weekly=rs.WeeklyRetentionFormatArgs(days_of_the_week=["Sunday"],
                                                                   weeks_of_the_month=["First"]),
            retention_duration=kept(policy.monthly_retention_months, "Months"))
    return rs.AzureIaaSVMProtectionPolicyArgs(
        backup_management_type="AzureIaasVM", time_zone="UTC",
        schedule_policy=rs.SimpleSchedulePolicyArgs(schedule_policy_type="SimpleSchedulePolicy",
                                                    schedule_run_frequency="Daily", schedule_run_times=[run_time]),
        retention_policy=rs.LongTermRetentionPolicyArgs(
            retention_policy_type="LongTermRetentionPolicy",
            daily_schedule=rs.DailyRetentionScheduleArgs(retention_times=[run_time],
                                                         retention_duration=kept(policy.daily_retention_days, "Days")),
            weekly_schedule=weekly, monthly_schedule=monthly))
