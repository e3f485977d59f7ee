*** Settings ***
Documentation     RenodeGic's stand-in for Renode's RobotFrameworkEngine/renode-keywords.robot.
...               Renode's file starts a Renode process and imports its keywords through the Remote library;
...               `renode-gic robot` serves the same keywords in-process, so Setup, Teardown, Test Setup and
...               Test Teardown only reset the emulation. Suites written for Renode (Suite Setup  Setup,
...               Test Teardown  Test Teardown, Resource  ${RENODEKEYWORDS}) run unchanged.
Library           Remote    http://127.0.0.1:${PORT_NUMBER}/

*** Variables ***
${PORT_NUMBER}            9999
${SKIP_RUNNING_SERVER}    True
${CONFIGURATION}          Release
${RENODE_PLATFORM}        ${CURDIR}/../platforms/virt-gicv3.repl

*** Keywords ***
Setup
    [Documentation]    Renode: starts Renode and connects to it. Here: starts from an empty emulation.
    Reset Emulation

Teardown
    [Documentation]    Renode: stops the remote server. Here: disposes the machine.
    Reset Emulation

Test Setup
    [Documentation]    Starts each test from an empty emulation.
    Reset Emulation

Test Teardown
    [Documentation]    Renode: saves logs of failed tests and resets. Here: resets the emulation.
    [Arguments]    ${UNTESTED}=False
    Reset Emulation
