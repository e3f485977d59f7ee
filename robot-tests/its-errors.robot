*** Settings ***
Documentation     Malformed ITS commands are guest errors: the ITS logs them, skips them (GITS_CREADR advances, the queue
...               does not stall) and later commands still deliver LPIs. firmware-samples/its-two-level sends its own bad
...               commands (MAPD of a DeviceID with no level-2 page, MAPTI/INT for that unmapped device); for
...               firmware-samples/lpi-its the suite itself puts bad commands into the guest's command queue once the
...               sample has set up the ITS, between two of the sample's commands, and the sample's next command (INT of
...               DeviceID 5 EventID 3 -> LPI 8300) must still be delivered. Platform: platforms/virt-gicv3-its.repl.
Suite Setup       Setup
Suite Teardown    Teardown
Test Setup        Reset Emulation
Test Teardown     Test Teardown
Resource          ${RENODEKEYWORDS}

*** Variables ***
${UART}           sysbus.uart0
${PLATFORM}       @platforms/virt-gicv3-its.repl
${GITS_CREADR}    0x08080090
${GITS_CWRITER}   0x08080088
# lib/its.h: ITS_CMD_QUEUE = ITS_MEM_BASE + 0x70000 (GITS_CBASER), 4 KiB
${QUEUE}          0x44070000

*** Keywords ***
Create Machine
    [Arguments]    ${sample}
    Execute Command           mach create "${sample}"
    Execute Command           machine LoadPlatformDescription ${PLATFORM}
    Execute Command           sysbus LoadELF @firmware-samples/build/${sample}.elf
    Create Terminal Tester    ${UART}    timeout=5
    Create Log Tester         1

Run Until Line
    [Documentation]    Runs the machine in 1 us steps of virtual time until the line has been printed (the waiting
    ...                keywords run in 5 ms slices, too coarse to stop between two of the sample's ITS commands).
    [Arguments]    ${line}
    FOR    ${step}    IN RANGE    2000
        ${seen}=    Run Keyword And Return Status    Wait For Line On Uart    ${line}    timeout=0
        IF    ${seen}    RETURN
        Execute Command    emulation RunFor "0.000001"
    END
    Fail    '${line}' was not printed within 2 ms of virtual time

Register Should Be
    [Arguments]    ${address}    ${expected}
    ${value}=                 Execute Command    sysbus ReadQuadWord ${address}
    Should Be Equal As Integers    ${value}    ${expected}

Write Command
    [Documentation]    Writes one 32-byte ITS command (four doublewords) at a byte offset of the command queue.
    [Arguments]    ${offset}    ${dw0}    ${dw1}=0    ${dw2}=0    ${dw3}=0
    FOR    ${index}    ${value}    IN ENUMERATE    ${dw0}    ${dw1}    ${dw2}    ${dw3}
        ${address}=    Evaluate    hex(${QUEUE} + ${offset} + 8 * ${index})
        Execute Command    sysbus WriteQuadWord ${address} ${value}
    END

*** Test Cases ***
The Sample's Own Bad Commands Should Be Logged And Skipped, Then LPIs Still Delivered
    Create Machine            its-two-level
    Start Emulation
    Wait For Line On Uart     creadr: 0x100 (stalled 0)
    Wait For Log Entry        guest error: MAPD: ID 600 has no level-2 page    timeout=0
    Wait For Log Entry        guest error: MAPTI: DeviceID 600 is not mapped (MAPD); skipped    timeout=0
    # Commands after the bad ones were processed: these LPIs were mapped by MAPTI/INT behind them in the queue.
    Wait For Line On Uart     translater event 1 (device 0): intid 9000
    Wait For Line On Uart     int device 1100 event 2: intid 9001
    Wait For Line On Uart     int device 600 event 3: 0 lpis
    Wait For Log Entry        guest error: INT: DeviceID 600 is not mapped (MAPD); skipped
    Wait For Line On Uart     creadr stalled: 0
    Wait For Line On Uart     PASS
    Should Not Be On Uart     FAIL    timeout=0.1

Bad Commands Put Into The Queue Should Be Logged And Skipped, Then LPIs Still Delivered
    Create Machine            lpi-its
    Start Emulation
    # The sample has mapped everything (10 commands, GITS_CREADR 0x140) and not yet sent its next command (INT).
    Run Until Line            creadr after mapping: 0x140
    Should Not Be On Uart     int device 5 event 3    timeout=0
    Register Should Be        ${GITS_CREADR}    0x140
    Register Should Be        ${GITS_CWRITER}    0x140
    Should Not Be In Log      guest error    timeout=0
    # 0x140: opcode 0x3F is no ITS command.
    Write Command             0x140    0x3F
    # 0x160: MAPTI DeviceID 0 EventID 6 pINTID 100 (not an LPI) ICID 0.
    Write Command             0x160    0x000000000000000A    0x0000006400000006
    # 0x180: INT DeviceID 77 (never mapped) EventID 1.
    Write Command             0x180    0x0000004D00000003    0x0000000000000001
    Execute Command           sysbus WriteQuadWord ${GITS_CWRITER} 0x1A0
    # The ITS processed all three at once: each one logged, skipped, and the queue is not stalled (GITS_CREADR bit 0).
    Wait For Log Entry        guest error: command 0x3F    timeout=0
    Wait For Log Entry        guest error: MAPTI: pINTID 100 is not an LPI    timeout=0
    Wait For Log Entry        guest error: INT: DeviceID 77 is not mapped    timeout=0
    Register Should Be        ${GITS_CREADR}    0x1A0
    ${queue}=                 Execute Command    its ShowQueue
    Should Not Contain        ${queue}    STALLED
    # The sample writes its next commands at GITS_CWRITER (0x1A0): delivery goes on.
    Wait For Line On Uart     translater event 0: intid 8192 rpr 0xa0
    Wait For Line On Uart     order: 8193 8194 8192
    Wait For Line On Uart     int device 5 event 3: intid 8300
    Wait For Line On Uart     cpu1 after movi: intid 8195
    Wait For Line On Uart     cpu0 lpis: 6, cpu1 lpis: 2
    Wait For Line On Uart     PASS
    Should Not Be On Uart     FAIL    timeout=0.1
    Should Not Be In Log      queue stalled    timeout=0
