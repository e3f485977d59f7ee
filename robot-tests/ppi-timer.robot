*** Settings ***
Documentation     PPIs from the generic timer through the redistributor: firmware-samples/ppi-timer
...               (virtual timer INTID 27, physical timer INTID 30). Expected lines: firmware-samples/expected/ppi-timer.el1.txt.
Suite Setup       Setup
Suite Teardown    Teardown
Test Setup        Reset Emulation
Test Teardown     Test Teardown
Resource          ${RENODEKEYWORDS}

*** Variables ***
${UART}           sysbus.uart0

*** Keywords ***
Create Machine
    Execute Command           mach create "ppi-timer"
    Execute Command           machine LoadPlatformDescription @platforms/virt-gicv3.repl
    Execute Command           sysbus LoadELF @firmware-samples/build/ppi-timer.elf
    Create Terminal Tester    ${UART}    timeout=5

Timer Should Tick Three Times
    [Arguments]    ${timer}    ${intid}
    FOR    ${tick}    IN RANGE    1    4
        Wait For Line On Uart    ppi: intid ${intid} on cpu0 (${timer} tick ${tick}) istatus 1
    END
    Wait For Line On Uart     ${timer}: 3 ticks, elapsed >= 3 intervals: yes

*** Test Cases ***
Should Read The Counter Frequency
    Create Machine
    Start Emulation
    Wait For Line On Uart     sample: ppi-timer
    Wait For Line On Uart     cntfrq: 62500000

Virtual Timer Should Interrupt Through PPI 27
    Create Machine
    Start Emulation
    Wait For Line On Uart     cntv: intid 27
    Timer Should Tick Three Times    cntv    27
    Wait For Line On Uart     cntv: imask ctl 0x7 delivered 0 ppi pending 0
    Wait For Line On Uart     cntv: gic-disabled, output high: ppi pending 1

Physical Timer Should Interrupt Through PPI 30, Then Pass
    Create Machine
    Start Emulation
    Wait For Line On Uart     cntp: intid 30
    Timer Should Tick Three Times    cntp    30
    Wait For Line On Uart     cntp: timer off: ppi pending 0
    Wait For Line On Uart     PASS
