"""Alarms and a dashboard for the ingestion pipeline.

Alarms (to one SNS topic, with an optional email subscription): each DLQ has visible
messages, and the item-load function reports errors. The dashboard shows, per stage, queue
depth, the age of the oldest message, DLQ depth, and the function's invocations, errors,
duration and concurrency.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, Fn
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.pipeline import IngestionPipeline

PERIOD = Duration.minutes(1)


class PipelineMonitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        pipeline: IngestionPipeline,
        alarm_email: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.alarm_topic = sns.Topic(self, "AlarmTopic", enforce_ssl=True)
        if alarm_email:
            self.alarm_topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        action = actions.SnsAction(self.alarm_topic)

        self.alarms: list[cloudwatch.Alarm] = []
        for label, dlq in (
            ("ItemGen", pipeline.item_gen_dead_letter_queue),
            ("ItemLoad", pipeline.item_load_dead_letter_queue),
        ):
            alarm = cloudwatch.Alarm(
                self,
                f"{label}DeadLetterAlarm",
                alarm_description=f"{label} dead-letter queue has messages",
                metric=dlq.metric_approximate_number_of_messages_visible(
                    period=PERIOD, statistic="Maximum"
                ),
                threshold=0,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(action)
            self.alarms.append(alarm)
        load_errors = cloudwatch.Alarm(
            self,
            "ItemLoadErrorsAlarm",
            alarm_description="The item-load function reported errors",
            metric=pipeline.item_load_function.metric_errors(period=PERIOD, statistic="Sum"),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        load_errors.add_alarm_action(action)
        self.alarms.append(load_errors)

        self.dashboard = cloudwatch.Dashboard(self, "Dashboard")
        for label, queue, dlq, function in (
            (
                "Item generation",
                pipeline.item_gen_queue,
                pipeline.item_gen_dead_letter_queue,
                pipeline.item_gen_function,
            ),
            (
                "Item loading",
                pipeline.item_load_queue,
                pipeline.item_load_dead_letter_queue,
                pipeline.item_load_function,
            ),
        ):
            self.dashboard.add_widgets(*stage_widgets(label, queue, dlq, function))
        self.dashboard_url = Fn.join(
            "",
            [
                "https://",
                Aws.REGION,
                ".console.aws.amazon.com/cloudwatch/home?region=",
                Aws.REGION,
                "#dashboards:name=",
                self.dashboard.dashboard_name,
            ],
        )


def stage_widgets(
    label: str, queue: sqs.IQueue, dlq: sqs.IQueue, function: lambda_.IFunction
) -> list[cloudwatch.IWidget]:
    """One dashboard row: the stage's queue, DLQ and function metrics."""
    return [
        cloudwatch.GraphWidget(
            title=f"{label}: queue depth",
            left=[
                queue.metric_approximate_number_of_messages_visible(
                    period=PERIOD, statistic="Maximum", label="visible"
                ),
                queue.metric_approximate_number_of_messages_not_visible(
                    period=PERIOD, statistic="Maximum", label="in flight"
                ),
            ],
            width=6,
        ),
        cloudwatch.GraphWidget(
            title=f"{label}: oldest message age (s)",
            left=[
                queue.metric_approximate_age_of_oldest_message(
                    period=PERIOD, statistic="Maximum", label="age"
                )
            ],
            width=6,
        ),
        cloudwatch.GraphWidget(
            title=f"{label}: DLQ depth",
            left=[
                dlq.metric_approximate_number_of_messages_visible(
                    period=PERIOD, statistic="Maximum", label="dead letters"
                )
            ],
            width=6,
        ),
        cloudwatch.GraphWidget(
            title=f"{label}: function",
            left=[
                function.metric_invocations(period=PERIOD, statistic="Sum", label="invocations"),
                function.metric_errors(period=PERIOD, statistic="Sum", label="errors"),
                function.metric(
                    "ConcurrentExecutions",
                    period=PERIOD,
                    statistic="Maximum",
                    label="concurrency",
                ),
            ],
            right=[
                function.metric_duration(period=PERIOD, statistic="p90", label="duration p90"),
            ],
            width=6,
        ),
    ]
